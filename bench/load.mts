// The load generator, a process of its own (bench/run.mts forks it once and sends it one
// scenario at a time over IPC), so its CPU is not the app's and its numbers are a client's view.
// Closed loop: each virtual user sends its next request when the last one is answered.
// Answers each spec (bench/spec.mts LoadSpec) with a LoadResult message.
import { readFile } from "node:fs/promises";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { abandonInFlight, Client, keepAliveAgent, resetAbandoned, type Answer } from "./http.mjs";
import { loadSpecSchema, type LoadResult, type LoadSpec, type PhaseResult } from "./spec.mjs";
import { percentile, round } from "./stats.mjs";

// The scenario being run: one at a time, set by each message.
let spec: LoadSpec;
let base: URL;
let agent: ReturnType<typeof keepAliveAgent>;
const PASSWORD = "bench horse battery staple";
const DRAIN_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T,>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface Recorded {
  phase: number;
  answer: Answer;
}
let recorded: Recorded[] = [];
let phase = -1;
let target = 0;
let stopped = false;

// What a shopper's server acknowledged (a 200 to an add), and adds whose outcome is unknown.
class VirtualUser {
  readonly client = new Client(base, agent);
  readonly acked = new Map<string, number>();
  readonly uncertain = new Map<string, number>();
  email = "";

  constructor(readonly index: number) {}

  // Counted in the phase it was sent in, even when it is answered after that phase (or the run) ended.
  async send(method: string, path: string, body?: { json?: unknown; form?: string }): Promise<Answer> {
    const sentIn = stopped ? -1 : phase;
    const answer = await this.client.request(method, path, body);
    if (sentIn >= 0) recorded.push({ phase: sentIn, answer });
    return answer;
  }

  async add(productId: string): Promise<Answer> {
    const answer = await this.send("POST", "/api/cart/items", { json: { productId, quantity: 1 } });
    const book = answer.status === 200 ? this.acked : this.isShed(answer) ? null : this.uncertain;
    book?.set(productId, (book.get(productId) ?? 0) + 1);
    return answer;
  }

  isShed(answer: Answer): boolean {
    return (answer.status === 503 || answer.status === 429) && answer.retryAfter !== null && answer.code !== "SERVICE_UNAVAILABLE";
  }

  // A guest cart with one line, then a sign-in that merges it into the account's cart
  // (the account is made, unmeasured, at the user's first sign-in).
  async signInWithMerge(): Promise<Answer> {
    if (!this.email) {
      this.email = `bench-${process.pid}-${this.index}-${Date.now().toString(36)}@example.com`;
      await new Client(base, agent).request("POST", "/api/auth/register", { json: { email: this.email, password: PASSWORD } });
    }
    this.client.cookie = "";
    await this.add(pick(spec.products));
    const csrf = await this.send("GET", "/api/auth/csrf");
    if (csrf.status !== 200) return csrf;
    const token = (JSON.parse(csrf.body) as { csrfToken: string }).csrfToken;
    const form = new URLSearchParams({ email: this.email, password: PASSWORD, csrfToken: token, callbackUrl: "/cart" }).toString();
    return this.send("POST", "/api/auth/callback/credentials", { form });
  }
}

async function operate(user: VirtualUser, sessions: string[]): Promise<Answer> {
  const roll = Math.random();
  switch (spec.scenario) {
    case "floor":
      return user.send("GET", "/api/bench/floor");
    case "get":
      return user.send("GET", spec.path!);
    case "read":
      return user.send("GET", "/api/cart");
    case "browse":
      return user.send("GET", "/");
    case "add":
      return user.add(pick(spec.products));
    case "update":
      return user.send("PATCH", `/api/cart/items/${spec.products[user.index % spec.products.length]}`, { json: { quantity: 1 + Math.floor(roll * 5) } });
    case "mixed":
      if (roll < 0.05) return user.signInWithMerge();
      return roll < 0.3 ? user.add(pick(spec.products)) : user.send("GET", "/api/cart");
    case "live":
      // Every request as another of the live sessions: the working set is all of them.
      user.client.cookie = pick(sessions);
      return roll < 0.3 ? user.add(pick(spec.products)) : user.send("GET", "/api/cart");
    case "spike":
    case "failover":
      return roll < 0.3 ? user.add(pick(spec.products)) : user.send("GET", "/api/cart");
  }
}

// Unmeasured: a cart to read or change.
async function prepare(user: VirtualUser): Promise<void> {
  if (!["read", "update", "browse", "mixed"].includes(spec.scenario)) return;
  // Until it is in: a shed add would leave the user with no line to update.
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = await user.client.request("POST", "/api/cart/items", { json: { productId: spec.products[user.index % spec.products.length], quantity: 1 } });
    if (answer.status === 200) return;
    await sleep(answer.retryAfter ? 1000 : 100);
  }
}

async function runUser(user: VirtualUser, sessions: string[]): Promise<void> {
  while (!stopped && user.index < target) {
    const answer = await operate(user, sessions);
    // Shed: wait what the server asked (at most 1 s), as the components do.
    if (spec.retryShed && user.isShed(answer)) await sleep(Math.min(1, answer.retryAfter ?? 1) * 1000);
    else if (answer.status === 0) await sleep(50);
  }
}

// A phase as it ran: its window (performance.now()) and the load generator's own event-loop delay in it.
interface PhaseRun {
  start: number;
  end: number;
  lag: IntervalHistogram;
}

function summarise(index: number, window: PhaseRun): PhaseResult {
  const elapsedSeconds = (window.end - window.start) / 1000;
  const answers = recorded.filter((r) => r.phase === index).map((r) => r.answer);
  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  const statusMix: Record<string, number> = {};
  for (const a of answers) {
    const key = a.status === 0 ? "conn-error" : a.status === -1 ? "unanswered" : String(a.status);
    statusMix[key] = (statusMix[key] ?? 0) + 1;
  }
  const ok = answers.filter((a) => a.status >= 200 && a.status < 400).length;
  const shed = answers.filter((a) => (a.status === 503 || a.status === 429) && a.retryAfter !== null && a.code !== "SERVICE_UNAVAILABLE").length;
  const { name, connections } = spec.phases[index]!;
  return {
    name,
    connections,
    seconds: round(elapsedSeconds),
    requests: answers.length,
    rps: round(answers.length / elapsedSeconds),
    goodput: round(ok / elapsedSeconds),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
    errors: answers.length - ok - shed,
    shed,
    statusMix,
    opened: answers.filter((a) => a.opened).length,
    clientLagP99: round(window.lag.percentile(99) / 1e6),
    from: Math.round(performance.timeOrigin + window.start),
    to: Math.round(performance.timeOrigin + window.end),
  };
}

async function run(): Promise<LoadResult> {
  recorded = [];
  phase = -1;
  target = 0;
  stopped = false;
  agent = keepAliveAgent(base);
  const sessions = spec.sessionsFile ? (await readFile(spec.sessionsFile, "utf8")).split("\n").filter(Boolean) : [];
  const most = Math.max(...spec.phases.map((p) => p.connections));
  const users = Array.from({ length: most }, (_, i) => new VirtualUser(i));
  // Only the users of the first phase are prepared: the spike's newcomers arrive without a cookie.
  await Promise.all(users.slice(0, spec.phases[0]!.connections).map(prepare));
  const loops: Promise<void>[] = [];
  const running = new Set<number>();
  const runs: PhaseRun[] = [];
  for (let i = 0; i < spec.phases.length; i++) {
    const { connections, seconds } = spec.phases[i]!;
    const phaseStart = performance.now();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    phase = i;
    target = connections;
    // New users arrive spread over (at most) arrivalSeconds, as a sale's crowd does.
    const newcomers = users.filter((u) => u.index < connections && !running.has(u.index));
    newcomers.forEach((user, n) => {
      running.add(user.index);
      loops.push(
        sleep(newcomers.length > 1 ? (n * spec.arrivalSeconds * 1000) / newcomers.length : 0)
          .then(() => runUser(user, sessions))
          .finally(() => running.delete(user.index)),
      );
    });
    await sleep(seconds * 1000);
    lag.disable();
    runs.push({ start: phaseStart, end: performance.now(), lag });
  }
  stopped = true;
  // Requests still unanswered a few seconds after the end are cut off and reported as such.
  const drained = Promise.all(loops);
  if ((await Promise.race([drained.then(() => true), sleep(DRAIN_MS).then(() => false)])) === false) abandonInFlight(agent);
  await drained;
  resetAbandoned();
  const result: LoadResult = { scenario: spec.scenario, phases: runs.map((r, i) => summarise(i, r)), failures: failureTimes() };
  if (spec.verify) result.verify = await verify(users.filter((u) => u.acked.size > 0 || u.uncertain.size > 0));
  agent.destroy();
  return result;
}

// Wall-clock times (ms since the epoch) of answers that were failures: for the failover's recovery.
function failureTimes(): number[] {
  return recorded
    .filter((r) => r.answer.status <= 0 || r.answer.status >= 500)
    .filter((r) => !(r.answer.status === 503 && r.answer.code === "OVERLOADED"))
    .map((r) => Math.round(performance.timeOrigin + r.answer.startedAt + r.answer.ms));
}

// Every acknowledged add is in the cart: at least what was acknowledged, at most that plus the unknown ones.
async function verify(users: VirtualUser[]): Promise<NonNullable<LoadResult["verify"]>> {
  let acknowledged = 0;
  let lost = 0;
  const reader = keepAliveAgent(base);
  for (const user of users) {
    user.client.agent = reader;
    const answer = await user.client.request("GET", "/api/cart");
    const items = answer.status === 200 ? (JSON.parse(answer.body) as { items: { productId: string; quantity: number }[] }).items : [];
    const held = new Map(items.map((i) => [i.productId, i.quantity]));
    for (const [productId, n] of user.acked) {
      acknowledged += n;
      lost += Math.max(0, n - (held.get(productId) ?? 0));
    }
  }
  reader.destroy();
  return { users: users.length, acknowledged, lost };
}

process.on("message", (message: unknown) => {
  spec = loadSpecSchema.parse(message);
  base = new URL(spec.url);
  run().then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
// The bench gone, nothing is left to answer to.
process.on("disconnect", () => process.exit(0));
