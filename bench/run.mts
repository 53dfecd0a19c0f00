// npm run bench -- [--quick] [--scenarios a,b] [--instances N] [--out DIR] [--cpu-prof DIR]   (after `npm run build`)
//
// First the direct set (bench/direct.mts: one `next start` of the demo on plain HTTP against the
// minimal floor app, bench/floor-app, in alternating rounds), then the gateway's scenarios:
// `npm run stack` (nginx + N instances). Each on a fresh Postgres database (DATABASE_URL's
// server, default postgres://postgres@127.0.0.1:5432/postgres) and a fresh Redis key prefix
// (REDIS_URL, default redis://127.0.0.1:6379), every scenario from the load-generator process
// (bench/load.mts). Prints a table and writes DIR/<date>.md, DIR/<date>.svg and DIR/latest.md,
// DIR/latest.svg (DIR defaults to bench/results); a run of the direct set alone writes
// DIR/<date>-direct.md and DIR/latest-direct.md instead. --cpu-prof DIR: the direct set's
// instances (the demo and the floor app) run under `node --cpu-prof` and write their profiles into DIR as they stop.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { startStack, type Stack } from "../test/support/stack";
import { runDirect } from "./direct.mjs";
import { runLoad, stopGenerator } from "./generator.mjs";
import { Client, keepAliveAgent } from "./http.mjs";
import { cpuSeconds, metricByLabel, nginxPids, postgresFigures, redisCommandsDuring, redisMemory } from "./measure.mjs";
import { renderDirectMarkdown, renderMarkdown, renderSvg, renderTable, type BenchReport, type ScenarioReport } from "./report.mjs";
import { deleteKeys, freshDatabase, freshPrefix, productIds } from "./services.mjs";
import type { LoadResult, LoadSpecInput } from "./spec.mjs";
import { percentile, round } from "./stats.mjs";

// `direct` is a set of its own (floor app, ping, read, add straight to one instance), run first.
const ALL = ["direct", "floor", "read", "add", "update", "browse", "mixed", "live", "spike", "ladder", "failover"] as const;
type Scenario = (typeof ALL)[number];

const argsSchema = z
  .object({
    quick: z.boolean(),
    scenarios: z.array(z.enum(ALL)).min(1),
    instances: z.number().int().min(1).max(8),
    out: z.string().min(1),
    cpuProf: z.string().min(1).optional(),
  })
  .refine((a) => a.cpuProf === undefined || a.scenarios.includes("direct"), { message: "--cpu-prof profiles the direct set's demo instance: include direct in --scenarios", path: ["cpuProf"] });

const USAGE = `usage: npm run bench -- [--quick] [--scenarios ${ALL.join(",")}] [--instances N] [--out DIR] [--cpu-prof DIR]
  --quick       a smoke that finishes fast: short phases, fewer rounds, a small live set
  --scenarios   default: all of them; \`--scenarios direct\` runs only the direct set (one instance, plain HTTP,
                against bench/floor-app) and writes DIR/<date>-direct.md and DIR/latest-direct.md
  --instances   the gateway's instances (default 2; the direct set always runs one)
  --out         where the results go (default bench/results)
  --cpu-prof    run the direct set's instances (the demo and the floor app) under node --cpu-prof; their profiles are written into DIR as they stop`;

function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const raw: { quick: boolean; scenarios: string[]; instances: number; out: string; cpuProf?: string } = { quick: false, scenarios: [...ALL], instances: 2, out: "bench/results" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") raw.quick = true;
    else if (arg === "--scenarios") raw.scenarios = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (arg === "--instances") raw.instances = Number(argv[++i]);
    else if (arg === "--out") raw.out = argv[++i] ?? "";
    else if (arg === "--cpu-prof") raw.cpuProf = argv[++i] ?? "";
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  return parsed.data;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const CONNECTIONS = 16;
// Durations (seconds) and counts: --quick keeps the gateway's scenarios under 2 minutes and the direct set under 1.
const plan = args.quick
  ? { steady: 2, warm: 1, liveSessions: 10_000, populateSeconds: 10, live: 3, spike: [2, 4, 2], ladder: 0, failover: 6, costSamples: 10, directRounds: 2 }
  : { steady: 10, warm: 3, liveSessions: 100_000, populateSeconds: 420, live: 20, spike: [10, 15, 10], ladder: 5, failover: 20, costSamples: 50, directRounds: 3 };
const began = performance.now();
const log = (line: string) => process.stderr.write(`bench: [${((performance.now() - began) / 1000).toFixed(0)} s] ${line}\n`);

interface Running {
  stack: Stack;
  db: { url: string; drop(): Promise<void> };
  prefix: string;
  pids: number[];
  gatewayPort: number;
  nginx?: number[];
  stop(): Promise<void>;
}

async function startRunning(instances: number): Promise<Running> {
  const db = await freshDatabase(adminUrl);
  const prefix = freshPrefix();
  const accessLog = path.join(os.tmpdir(), `bench-gateway-${prefix.replace(/[^a-z0-9]+/gi, "-")}log`);
  const stack = await startStack({
    instances,
    env: {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      STORE_KEY_PREFIX: prefix,
      BENCH_FLOOR_ROUTE: "1",
      // The gateway's per-instance limit, when the run is about choosing it.
      ...(process.env.STACK_MAX_CONN ? { STACK_MAX_CONN: process.env.STACK_MAX_CONN } : {}),
      STACK_ACCESS_LOG: accessLog,
      // All load comes from one address: per-address and per-session limits would measure themselves.
      RATE_LIMIT_DISABLED: "1",
      LOG_LEVEL: "error",
      SESSION_SECRET: randomBytes(32).toString("base64"),
      AUTH_SECRET: randomBytes(32).toString("base64"),
    },
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  let untrack = () => {};
  const running: Running = {
    stack,
    db,
    prefix,
    pids: stack.instances.map((i) => i.pid),
    gatewayPort: Number(new URL(stack.url).port),
    async stop() {
      untrack();
      // The log is written at most a second late (flush=1s): let it catch up before nginx stops.
      await new Promise((r) => setTimeout(r, 1500));
      await stack.stop();
      gatewayAnswers.push(...(await readGatewayLog(accessLog)));
      await rm(accessLog, { force: true });
      await db.drop();
      await deleteKeys(redisUrl, prefix);
    },
  };
  untrack = track({ stop: () => running.stop(), pids: () => [...(running.nginx ?? []), ...running.pids] });
  running.nginx = await nginxPids(running.gatewayPort);
  return running;
}

// Every answer the gateways logged in this run: when it left (ms since the epoch), its status, how long it took.
const gatewayAnswers: { at: number; status: number; ms: number }[] = [];

async function readGatewayLog(file: string): Promise<typeof gatewayAnswers> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").flatMap((line) => {
    const [msec, status, seconds] = line.split(" ");
    const at = Number(msec) * 1000;
    return Number.isFinite(at) && at > 0 ? [{ at, status: Number(status), ms: Number(seconds) * 1000 }] : [];
  });
}

// Each phase's answers as the gateway timed them (those that left within the phase's window).
function annotateGateway(report: BenchReport): void {
  const percentileOf = (values: number[], at: number) => round(percentile([...values].sort((a, b) => a - b), at));
  const results = [...report.scenarios.map((s) => s.result), report.ladder, report.failover?.result].filter((r) => r !== undefined);
  for (const phase of results.flatMap((r) => r.phases)) {
    const answers = gatewayAnswers.filter((a) => a.at >= phase.from && a.at <= phase.to);
    if (answers.length === 0) continue;
    const shed = (a: { status: number }) => a.status === 503 || a.status === 429;
    phase.gateway = {
      answers: answers.length,
      p50: percentileOf(answers.map((a) => a.ms), 50),
      p99: percentileOf(answers.map((a) => a.ms), 99),
      servedP99: percentileOf(answers.filter((a) => !shed(a)).map((a) => a.ms), 99),
      shedP99: percentileOf(answers.filter(shed).map((a) => a.ms), 99),
    };
  }
}

// Stacks and direct instances still running, stopped (and their database and keys removed) if the bench is interrupted.
interface Live {
  stop(): Promise<void>;
  pids(): number[];
}
const live = new Set<Live>();
const track = (handle: Live) => {
  live.add(handle);
  return () => void live.delete(handle);
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void Promise.allSettled([...live].map((r) => r.stop())).then(() => process.exit(130));
  });
}
// Dying some other way, leave no server running (the stack stops itself once nginx is gone).
process.on("exit", () => {
  for (const r of live) for (const pid of r.pids()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

// CPU seconds of the instances and of nginx while `work` runs.
async function withCpu<T>(running: Running, work: () => Promise<T>): Promise<{ value: T; appCpu: number; gatewayCpu: number }> {
  const nginx = running.nginx ?? [];
  const sum = async (pids: number[]) => (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
  const [app0, gw0] = [await sum(running.pids), await sum(nginx)];
  const value = await work();
  return { value, appCpu: (await sum(running.pids)) - app0, gatewayCpu: (await sum(nginx)) - gw0 };
}

function steadyPhases(seconds: number) {
  return [{ name: `${CONNECTIONS} conns`, connections: CONNECTIONS, seconds }];
}

// Guest sessions with a cart each, created through the API as shoppers would; their cookies one a line.
// Bounded in time as well as in number, so a busy machine makes a smaller working set, not a run that never ends.
async function populate(url: string, products: string[], count: number, seconds: number, file: string): Promise<number> {
  const agent = keepAliveAgent(new URL(url));
  const cookies: string[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const progress = setInterval(() => log(`live: ${cookies.length} sessions so far`), 10_000);
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const client = new Client(new URL(url), agent);
      for (let attempt = 0; attempt < 20; attempt++) {
        const answer = await client.request("POST", "/api/cart/items", { json: { productId: products[i % products.length], quantity: 1 } });
        if (answer.status === 200) break;
        await new Promise((r) => setTimeout(r, answer.retryAfter ? 1000 : 100));
      }
      if (client.cookie) cookies.push(client.cookie);
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
  clearInterval(progress);
  await writeFile(file, cookies.join("\n"));
  agent.destroy();
  log(`live: ${cookies.length} sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return cookies.length;
}

// Redis commands and Postgres transactions one request costs, counted over a few sequential requests.
async function perRequestCosts(running: Running, products: string[]) {
  const base = new URL(running.stack.url);
  const client = new Client(base, keepAliveAgent(base));
  await client.request("POST", "/api/cart/items", { json: { productId: products[0], quantity: 1 } });
  const N = plan.costSamples;
  const kinds: Record<string, () => Promise<unknown>> = {
    read: () => client.request("GET", "/api/cart"),
    add: () => client.request("POST", "/api/cart/items", { json: { productId: products[1 % products.length], quantity: 1 } }),
    update: () => client.request("PATCH", `/api/cart/items/${products[0]}`, { json: { quantity: 2 } }),
    "first visit (no cookie) read": () => new Client(base, keepAliveAgent(base)).request("GET", "/api/cart"),
  };
  const costs: Record<string, { redis: number; pgTransactions: number }> = {};
  for (const [kind, send] of Object.entries(kinds)) {
    const before = (await postgresFigures(running.db.url)).transactions;
    const redis = await redisCommandsDuring(redisUrl, running.prefix, async () => {
      for (let i = 0; i < N; i++) await send();
    });
    // Backends report their statistics at most once a second.
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await postgresFigures(running.db.url)).transactions;
    // The bench's own statistics queries (2 per postgresFigures call) are not the app's.
    costs[kind] = { redis: Math.round((redis / N) * 10) / 10, pgTransactions: Math.round(((after - before - 3) / N) * 100) / 100 };
  }
  return costs;
}

async function scenario(running: Running, name: Scenario, products: string[], scratch: string, report: BenchReport): Promise<void> {
  const url = running.stack.url;
  const base = { url, products, retryShed: true, verify: false } as const;
  const steady = async (kind: LoadSpecInput["scenario"], label: string, extra: Partial<LoadSpecInput> = {}) => {
    const { value, appCpu, gatewayCpu } = await withCpu(running, () => runLoad({ ...base, scenario: kind, phases: steadyPhases(plan.steady), ...extra }));
    const entry: ScenarioReport = { name: label, result: value, appCpuMsPerRequest: cpuMs(appCpu, value), gatewayCpuMsPerRequest: cpuMs(gatewayCpu, value) };
    report.scenarios.push(entry);
    return entry;
  };
  switch (name) {
    case "floor":
    case "read":
    case "add":
    case "update":
    case "browse":
      await steady(name, name);
      return;
    case "mixed":
      await steady("mixed", "mixed");
      return;
    case "live": {
      const file = path.join(scratch, "sessions.txt");
      const sessions = await populate(url, products, plan.liveSessions, plan.populateSeconds, file);
      const memory = await redisMemory(redisUrl, running.prefix);
      const lookups0 = await metricByLabel(running.stack.instances.map((i) => i.url), "cart_cache_lookups_total", "result");
      const entry = await steady("live", `live-${sessions >= 1000 ? `${Math.round(sessions / 1000)}k` : sessions}`, { sessionsFile: file, phases: steadyPhases(plan.live) });
      const lookups1 = await metricByLabel(running.stack.instances.map((i) => i.url), "cart_cache_lookups_total", "result");
      const hits = (lookups1.hit ?? 0) - (lookups0.hit ?? 0);
      const misses = (lookups1.miss ?? 0) - (lookups0.miss ?? 0);
      // A live session is its record plus its cached cart: the sizes of one of each.
      const bytesPerSession = (memory.byKind.sess?.bytesPerKey ?? 0) + (memory.byKind.ccart?.bytesPerKey ?? 0);
      report.live = { sessions, memory, bytesPerSession, cartCacheHitRatio: hits + misses > 0 ? hits / (hits + misses) : null, postgres: await postgresFigures(running.db.url) };
      entry.note = `mixed without sign-in over ${sessions} sessions`;
      return;
    }
    case "spike": {
      const [a, b, c] = plan.spike;
      const phases = [
        { name: "16", connections: 16, seconds: a! },
        // The issue's spike (16 → 5,000 → 16): the gateway must refuse or reset no connection.
        { name: "5000", connections: 5000, seconds: b! },
        { name: "16 again", connections: 16, seconds: c! },
      ];
      const { value, appCpu, gatewayCpu } = await withCpu(running, () => runLoad({ ...base, scenario: "spike", phases, retryShed: true }));
      report.scenarios.push({ name: "spike", result: value, appCpuMsPerRequest: cpuMs(appCpu, value), gatewayCpuMsPerRequest: cpuMs(gatewayCpu, value) });
      return;
    }
    case "ladder": {
      // Not in --quick (the spike's phases draw the chart there).
      if (plan.ladder === 0) return;
      const phases = [16, 64, 256, 1000].map((n) => ({ name: String(n), connections: n, seconds: plan.ladder }));
      const value = await runLoad({ ...base, scenario: "spike", phases, retryShed: true });
      report.ladder = value;
      return;
    }
    case "failover":
      return;
  }
}

function cpuMs(seconds: number, result: LoadResult): number {
  const requests = result.phases.reduce((n, p) => n + p.requests, 0);
  return requests > 0 ? Math.round(((seconds * 1000) / requests) * 100) / 100 : 0;
}

// Two instances under 70 % reads / 30 % adds; one is killed a third of the way in. On the
// bench's own stack when it has two or more (it is the last scenario), else on a stack of its own.
async function failover(report: BenchReport, shared?: Running): Promise<void> {
  const running = shared && shared.pids.length >= 2 ? shared : await startRunning(2);
  try {
    const products = await productIds(running.stack.url);
    const load = runLoad({ url: running.stack.url, products, scenario: "failover", phases: [{ name: "16 conns", connections: CONNECTIONS, seconds: plan.failover }], retryShed: true, verify: true });
    await new Promise((r) => setTimeout(r, (plan.failover * 1000) / 3));
    const killedAt = Date.now();
    process.kill(running.pids.at(-1)!, "SIGKILL");
    log(`failover: killed instance ${running.pids.length} (pid ${running.pids.at(-1)})`);
    const result = await load;
    const after = result.failures.filter((t) => t >= killedAt);
    report.failover = { result, killedAt, failuresAfterKill: after.length, answeredAgainAfterMs: after.length ? Math.max(...after) - killedAt : 0 };
  } finally {
    if (running !== shared) await running.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(".next", "BUILD_ID"))) fail("no build found: run `npm run build` first.");
  const started = Date.now();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "bench-"));
  const report: BenchReport = {
    date: new Date().toISOString(),
    quick: args.quick,
    instances: args.instances,
    connections: CONNECTIONS,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}, ${os.platform()}`,
    loadBefore: `Load average (1 min) as the run began: ${os.loadavg()[0]!.toFixed(2)}.`,
    scenarios: [],
  };
  const wanted = ALL.filter((s) => args.scenarios.includes(s) && s !== "failover" && s !== "direct");
  const withFailover = args.scenarios.includes("failover");
  // The direct set first: the app's own cost, before the gateway's scenarios fill Postgres and Redis.
  if (args.scenarios.includes("direct")) {
    log("direct…");
    report.direct = await runDirect({
      rounds: plan.directRounds,
      seconds: plan.steady,
      warmSeconds: plan.warm,
      connections: CONNECTIONS,
      adminUrl,
      redisUrl,
      cpuProfDir: args.cpuProf,
      log,
      track,
    });
    if (report.direct.cpuProfiles?.length) log(`direct: CPU profile(s) of the demo instance: ${report.direct.cpuProfiles.join(", ")}`);
  }
  if (wanted.length > 0) {
    const running = await startRunning(args.instances);
    try {
      const products = await productIds(running.stack.url);
      report.products = products.length;
      log(`stack ready at ${running.stack.url} (${args.instances} instances, ${products.length} products)`);
      // Warm-up (JIT, pools, caches), not reported.
      for (const kind of ["floor", "read", "add", "update"] as const) await runLoad({ url: running.stack.url, products, scenario: kind, phases: steadyPhases(plan.warm), retryShed: true, verify: false });
      // The floor first whenever anything is measured: every ratio is to it, in this run.
      if (!wanted.includes("floor")) wanted.unshift("floor");
      for (const name of wanted) {
        log(`${name}…`);
        await scenario(running, name, products, scratch, report);
      }
      report.costs = await perRequestCosts(running, products);
      if (withFailover && running.pids.length >= 2) {
        log("failover…");
        await failover(report, running);
      }
    } finally {
      await running.stop();
    }
  }
  if (withFailover && !report.failover) {
    log("failover…");
    await failover(report);
  }
  stopGenerator();
  annotateGateway(report);
  report.seconds = Math.round((Date.now() - started) / 1000);
  await rm(scratch, { recursive: true, force: true });

  process.stdout.write(`${renderTable(report)}\n`);
  await mkdir(args.out, { recursive: true });
  const day = report.date.slice(0, 10);
  if (wanted.length === 0 && !withFailover) {
    // The direct set alone: its own page, beside (not over) the last full run's.
    await writeFile(path.join(args.out, `${day}-direct.md`), renderDirectMarkdown(report));
    await copyFile(path.join(args.out, `${day}-direct.md`), path.join(args.out, "latest-direct.md"));
    log(`wrote ${args.out}/${day}-direct.md, latest-direct.md in ${report.seconds} s`);
    return;
  }
  await writeFile(path.join(args.out, `${day}.md`), renderMarkdown(report, `${day}.svg`));
  await writeFile(path.join(args.out, `${day}.svg`), renderSvg(report));
  await writeFile(path.join(args.out, "latest.md"), renderMarkdown(report, "latest.svg"));
  await copyFile(path.join(args.out, `${day}.svg`), path.join(args.out, "latest.svg"));
  log(`wrote ${args.out}/${day}.md, ${day}.svg, latest.md, latest.svg in ${report.seconds} s`);
}

await main();
