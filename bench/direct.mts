// The direct scenario set: the app's own cost, with no gateway, TLS or second instance in the way.
// One `next start` of the demo (production, plain HTTP, LOG_LEVEL unset so its default applies,
// Postgres + Redis, rate limits off since all load comes from one address) and one of the minimal
// floor app (bench/floor-app), each on its own 127.0.0.1 port. Each round runs host, ping, read and
// add with the floor app just before and just after each (floor, host, floor, ping, …, add, floor),
// 16 keep-alive connections each; every ratio is a scenario's goodput over the mean of those two
// floor phases, so a machine whose speed drifts during a round (a shared host's does, by a fifth
// within a minute) weighs on both sides of the ratio alike.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../test/support/app";
import { ensureFloorApp, FLOOR_APP_DIR, NEXT_BIN } from "./floor.mjs";
import { runLoad } from "./generator.mjs";
import { Client, keepAliveAgent } from "./http.mjs";
import { cpuSeconds } from "./measure.mjs";
import { deleteKeys, freshDatabase, freshPrefix, productIds } from "./services.mjs";
import type { LoadSpecInput, PhaseResult } from "./spec.mjs";

// In the order each round runs them.
// `host` is the demo's own fixed-JSON route outside the module (app/api/bench/floor): what the
// host app costs Next.js before any of the module's code runs, beside the floor app's figure.
export const DIRECT_KINDS = ["floor", "host", "ping", "read", "add"] as const;
export type DirectKind = (typeof DIRECT_KINDS)[number];

// What each kind requests (the floor from the floor app, the rest from the demo).
export const DIRECT_REQUESTS: Record<DirectKind, string> = {
  floor: "GET /api/floor (floor app)",
  host: "GET /api/bench/floor (the demo's own route, outside the module)",
  ping: "GET /api/ping",
  read: "GET /api/cart",
  add: "POST /api/cart/items",
};

// The targets: goodput over the floor's around it (mean of the rounds), and p99.
export const DIRECT_TARGETS: Partial<Record<DirectKind, number>> = { ping: 0.95, read: 0.95, add: 0.6 };
export const DIRECT_P99_TARGET_MS = 150;

export interface DirectRow {
  kind: DirectKind;
  round: number;
  phase: PhaseResult;
  // User + system CPU of the instance that answered, per request answered (from /proc).
  cpuMsPerRequest: number;
  // A scenario's (not the floor's own): the mean of the floor phases just before and just after it.
  floor?: { goodput: number; cpuMsPerRequest: number };
}

export interface DirectReport {
  rounds: number;
  seconds: number;
  connections: number;
  rows: DirectRow[];
  // GET /api/ping's status before the rounds: anything but 2xx and the ping rows are left out.
  pingStatus: number;
  // What the demo wrote to stdout/stderr during the rounds, per request it answered (default log level).
  logLinesPerRequest: number;
  logBytesPerRequest: number;
  // --cpu-prof: the profiles the demo instance wrote as it stopped.
  cpuProfiles?: string[];
}

export interface DirectOptions {
  rounds: number;
  seconds: number;
  warmSeconds: number;
  connections: number;
  adminUrl: string;
  redisUrl: string;
  cpuProfDir?: string;
  log(line: string): void;
  // Registers what must be stopped if the bench is interrupted; returns the unregistering function.
  track(handle: { stop(): Promise<void>; pids(): number[] }): () => void;
}

interface Instance {
  name: string;
  pid: number;
  url: string;
  logFile: string;
  // How it ended: "exited 143", "signal SIGKILL"...
  stop(): Promise<string>;
}

const STOP_GRACE_MS = 15_000;

// `next start` (as `npm start` runs it) with its output to logFile, ready once `readyPath` answers 200.
async function startInstance(name: string, args: { dir?: string; env: NodeJS.ProcessEnv; nodeArgs?: string[]; logFile: string; readyPath: string }): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A file, not a pipe to the bench: the bench's own CPU stays out of the instance's log writes.
  const fd = openSync(args.logFile, "a");
  const command = [...(args.nodeArgs ?? []), NEXT_BIN, "start", ...(args.dir ? [args.dir] : []), "-p", String(port), "-H", "127.0.0.1", "--keepAliveTimeout", "5000"];
  const child: ChildProcess = spawn(process.execPath, command, { env: args.env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const ended = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exited ${code}`)));
  const instance: Instance = {
    name,
    pid: child.pid!,
    url,
    logFile: args.logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return ended;
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      child.kill("SIGTERM");
      const how = await ended;
      clearTimeout(timer);
      return how;
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} ${await ended} before it was ready:\n${await logTail(args.logFile)}`);
    const status = await fetch(`${url}${args.readyPath}`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.arrayBuffer().then(() => r.status),
      () => 0,
    );
    if (status === 200) return instance;
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`${name} was not ready within 90 s (GET ${args.readyPath}: ${status}):\n${await logTail(args.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

// The end of an instance's output without its per-request log lines (the default level writes one each).
async function logTail(file: string): Promise<string> {
  const lines = (await readFile(file, "utf8").catch(() => "")).split("\n");
  return lines.filter((line) => !line.includes('"msg":"request"')).slice(-20).join("\n");
}

// Only what the instances are meant to see: no LOG_LEVEL (its default applies) nor anything else
// from the bench's own environment that would change what is measured.
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

export async function runDirect(o: DirectOptions): Promise<DirectReport> {
  if (!existsSync(path.join(".next", "BUILD_ID"))) throw new Error("no build found: run `npm run build` first.");
  await ensureFloorApp(o.log);
  const profileDir = o.cpuProfDir ? path.resolve(o.cpuProfDir) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), "bench-direct-"));
  const db = await freshDatabase(o.adminUrl);
  const prefix = freshPrefix();
  const demoEnv: NodeJS.ProcessEnv = {
    ...baseEnv(),
    DATABASE_URL: db.url,
    REDIS_URL: o.redisUrl,
    STORE_KEY_PREFIX: prefix,
    // All load comes from one address: per-address and per-session limits would measure themselves.
    RATE_LIMIT_DISABLED: "1",
    SESSION_SECRET: randomBytes(32).toString("base64"),
    AUTH_SECRET: randomBytes(32).toString("base64"),
    // As `npm run stack` sets it: Auth.js refuses an unconfigured host in production otherwise.
    AUTH_TRUST_HOST: "true",
    BENCH_FLOOR_ROUTE: "1",
  };
  const instances: Instance[] = [];
  // Once, whether the run ends or the bench is interrupted: the instances, then their data.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await Promise.allSettled(instances.map((i) => i.stop()));
      await db.drop().catch((e: unknown) => o.log(`could not drop the direct run's database: ${String(e)}`));
      await deleteKeys(o.redisUrl, prefix).catch((e: unknown) => o.log(`could not delete the direct run's Redis keys: ${String(e)}`));
      await rm(scratch, { recursive: true, force: true });
      untrack();
    })());
  const untrack = o.track({ stop: cleanUp, pids: () => instances.map((i) => i.pid) });
  try {
    const started = await Promise.allSettled([
      startInstance("the demo", {
        env: demoEnv,
        nodeArgs: profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
        logFile: path.join(scratch, "demo.log"),
        readyPath: "/api/health",
      }),
      startInstance("the floor app", {
        dir: FLOOR_APP_DIR,
        env: baseEnv(),
        nodeArgs: profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
        logFile: path.join(scratch, "floor.log"),
        readyPath: "/api/floor",
      }),
    ]);
    for (const s of started) if (s.status === "fulfilled") instances.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const [demo, floor] = instances as [Instance, Instance];
    const products = await productIds(demo.url);
    const pingStatus = await statusOf(demo.url, "/api/ping");
    const kinds = DIRECT_KINDS.filter((k) => k !== "ping" || (pingStatus >= 200 && pingStatus < 300));
    o.log(`direct: the demo at ${demo.url} (pid ${demo.pid}), the floor app at ${floor.url} (pid ${floor.pid}); GET /api/ping answered ${pingStatus}${kinds.includes("ping") ? "" : ", so no ping rows"}`);

    const spec = (kind: DirectKind, seconds: number): LoadSpecInput => {
      const phases = [{ name: `${o.connections} conns`, connections: o.connections, seconds }];
      const common = { products, phases, retryShed: true, verify: false, arrivalSeconds: 0 };
      if (kind === "floor") return { ...common, url: floor.url, scenario: "get", path: "/api/floor" };
      if (kind === "host") return { ...common, url: demo.url, scenario: "get", path: "/api/bench/floor" };
      if (kind === "ping") return { ...common, url: demo.url, scenario: "get", path: "/api/ping" };
      return { ...common, url: demo.url, scenario: kind };
    };
    // Warm-up (JIT, pools, caches), not reported.
    for (const kind of kinds) await runLoad(spec(kind, o.warmSeconds));

    const logBefore = (await stat(demo.logFile)).size;
    const rows: DirectRow[] = [];
    const measure = async (kind: DirectKind, round: number): Promise<DirectRow> => {
      const instance = kind === "floor" ? floor : demo;
      const cpu0 = await cpuSeconds(instance.pid);
      const result = await runLoad(spec(kind, o.seconds));
      const cpu = (await cpuSeconds(instance.pid)) - cpu0;
      const phase = result.phases[0]!;
      o.log(`direct: round ${round}/${o.rounds} ${kind}: ${phase.goodput} 2xx/s, p99 ${phase.p99} ms`);
      return { kind, round, phase, cpuMsPerRequest: phase.requests > 0 ? Math.round(((cpu * 1000) / phase.requests) * 100) / 100 : 0 };
    };
    for (let round = 1; round <= o.rounds; round++) {
      let before = await measure("floor", round);
      rows.push(before);
      for (const kind of kinds.filter((k) => k !== "floor")) {
        const row = await measure(kind, round);
        const after = await measure("floor", round);
        row.floor = {
          goodput: (before.phase.goodput + after.phase.goodput) / 2,
          cpuMsPerRequest: (before.cpuMsPerRequest + after.cpuMsPerRequest) / 2,
        };
        rows.push(row, after);
        before = after;
      }
    }
    // The log lines written while the rounds ran, over the demo's requests in them.
    const written = (await readFile(demo.logFile)).subarray(logBefore);
    const demoRequests = rows.filter((r) => r.kind !== "floor").reduce((n, r) => n + r.phase.requests, 0);
    const lines = written.reduce((n, byte) => n + (byte === 10 ? 1 : 0), 0);
    const report: DirectReport = {
      rounds: o.rounds,
      seconds: o.seconds,
      connections: o.connections,
      rows,
      pingStatus,
      logLinesPerRequest: demoRequests > 0 ? Math.round((lines / demoRequests) * 100) / 100 : 0,
      logBytesPerRequest: demoRequests > 0 ? Math.round(written.length / demoRequests) : 0,
    };
    if (profileDir) {
      // Written as the instances exit (gracefully: SIGTERM lets next start close and exit).
      report.cpuProfiles = [];
      for (const instance of [demo, floor]) {
        const how = await instance.stop();
        const profiles = (await readdir(profileDir)).filter((f) => f.endsWith(".cpuprofile") && f.includes(`.${instance.pid}.`)).map((f) => path.join(profileDir, f));
        if (profiles.length === 0) o.log(`direct: ${instance.name} ${how} and wrote no CPU profile in ${profileDir}`);
        report.cpuProfiles.push(...profiles);
      }
    }
    return report;
  } catch (error) {
    for (const i of instances) o.log(`direct: ${i.name}'s last output:\n${await logTail(i.logFile)}`);
    throw error;
  } finally {
    await cleanUp();
  }
}

// One request's status (0: no answer).
async function statusOf(url: string, requestPath: string): Promise<number> {
  const base = new URL(url);
  const agent = keepAliveAgent(base);
  const answer = await new Client(base, agent).request("GET", requestPath);
  agent.destroy();
  return answer.status;
}
