import { sql, type SQL } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { isoTime } from "../time";
import { log } from "../log/logger";
import { recordEventDelivery } from "../observe/metrics";
import type { CartRuntime } from "../runtime/runtime";
import { eventEndpoints, eventsRecorded, PROCESS_ENDPOINT } from "./outbox";
import type { CartEvent, CartEventType } from "./types";

// Delivery of the outbox (lib/events/outbox.ts), per (event, endpoint), off the request path:
// a worker of each instance claims due rows in batches (FOR UPDATE SKIP LOCKED, then a lease
// written in the same statement, so two instances never hold one row and nothing session-level
// is needed: PgBouncer's transaction pooling and PGlite serve it), delivers them at once,
// and settles each: delivered, or retried later under the same id (WEBHOOK_RETRY_SECONDS, the
// last delay repeating) until WEBHOOK_RETRY_HOURS have passed since the event, then given up.
// Times are the instance's clock (runtime.now). Why not pg-boss or graphile-worker: docs/events.md.

// How long a claimed row is this worker's: past it (a worker that died mid-delivery), another
// instance takes the row again, so a crash delays an event and never loses it.
const LEASE_MARGIN_MS = 60_000;
// Batches one pass takes at most before it yields to the next tick.
const MAX_BATCHES_PER_PASS = 20;

interface Claimed {
  id: string;
  endpoint: string;
  type: CartEventType;
  payload: unknown;
  created_at: string | Date;
  attempts: number;
}

type Outcome = { ok: true; status: number | null } | { ok: false; status: number | null; error: string };

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

async function execute<T>(runtime: CartRuntime, query: SQL): Promise<T[]> {
  return rowsOf<T>(await (await runtime.db()).execute(query));
}

// Claims up to `limit` due rows of this instance's endpoints: each row is one worker's until
// its lease ends, and its attempt is counted now (a crash mid-delivery still counts).
async function claim(runtime: CartRuntime, limit: number): Promise<{ rows: Claimed[]; lease: string }> {
  const endpoints = eventEndpoints(runtime);
  const now = runtime.now();
  const lease = isoTime(now + runtime.settings.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
  const list = sql.join(
    endpoints.map((e) => sql`${e}`),
    sql`, `,
  );
  const rows = await execute<Claimed>(
    runtime,
    sql`
      with due as (
        select id, endpoint from cart_event_outbox
        where scope = ${runtime.scope} and delivered_at is null and failed_at is null
          and next_attempt_at <= ${isoTime(now)}::timestamptz
          and (lease_until is null or lease_until <= ${isoTime(now)}::timestamptz)
          and endpoint in (${list})
        order by next_attempt_at, created_at
        limit ${limit}
        for update skip locked
      )
      update cart_event_outbox o set lease_until = ${lease}::timestamptz, attempts = o.attempts + 1
      from due where o.id = due.id and o.endpoint = due.endpoint
      returning o.id, o.endpoint, o.type, o.payload, o.created_at, o.attempts`,
  );
  return { rows, lease };
}

// The body exactly as every attempt sends it (jsonb keeps one key order).
const bodyOf = (payload: unknown): string => JSON.stringify(typeof payload === "string" ? JSON.parse(payload) : payload);

async function postWebhook(runtime: CartRuntime, url: string, id: string, body: string): Promise<Outcome> {
  const secret = runtime.settings.WEBHOOK_SECRET;
  if (!secret) return { ok: false, status: null, error: "WEBHOOK_SECRET is not set" };
  const at = new Date(runtime.now());
  const headers = {
    "content-type": "application/json",
    "user-agent": "next-cart-webhooks",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(runtime.settings.WEBHOOK_TIMEOUT_MS),
    });
    // Read to the end so the connection is reused; the receiver's answer is not ours to keep.
    await response.arrayBuffer().catch(() => undefined);
    return response.status >= 200 && response.status < 300
      ? { ok: true, status: response.status }
      : { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    return { ok: false, status: null, error: name === "TimeoutError" ? `timed out after ${runtime.settings.WEBHOOK_TIMEOUT_MS} ms` : `${name}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function callHandler(runtime: CartRuntime, event: CartEvent): Promise<Outcome> {
  if (!runtime.onEvent) return { ok: false, status: null, error: "no onEvent handler on this instance" };
  try {
    await runtime.onEvent(event);
    return { ok: true, status: null };
  } catch (err) {
    return { ok: false, status: null, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

async function attempt(runtime: CartRuntime, row: Claimed): Promise<Outcome> {
  const body = bodyOf(row.payload);
  if (row.endpoint === PROCESS_ENDPOINT) {
    const parsed = JSON.parse(body) as Omit<CartEvent, "id">;
    return callHandler(runtime, { id: row.id, type: parsed.type, timestamp: parsed.timestamp, data: parsed.data });
  }
  return postWebhook(runtime, row.endpoint.replace(/^webhook:/, ""), row.id, body);
}

// The delay before the attempt after `attempts` failed ones: the list's entry, the last repeating.
export function retryDelaySeconds(schedule: readonly number[], attempts: number): number {
  return schedule[Math.min(Math.max(attempts, 1), schedule.length) - 1]!;
}

async function settle(runtime: CartRuntime, row: Claimed, lease: string, outcome: Outcome): Promise<"delivered" | "retry" | "failed"> {
  const now = runtime.now();
  const mine = sql`id = ${row.id} and endpoint = ${row.endpoint} and lease_until = ${lease}::timestamptz`;
  if (outcome.ok) {
    await execute(runtime, sql`
      update cart_event_outbox set delivered_at = ${isoTime(now)}::timestamptz, lease_until = null, last_status = ${outcome.status}, last_error = null
      where ${mine}`);
    return "delivered";
  }
  const created = new Date(row.created_at).getTime();
  const giveUp = now - created >= runtime.settings.WEBHOOK_RETRY_HOURS * 3_600_000;
  const next = now + retryDelaySeconds(runtime.settings.WEBHOOK_RETRY_SECONDS, row.attempts) * 1000;
  await execute(runtime, sql`
    update cart_event_outbox set lease_until = null, last_status = ${outcome.status}, last_error = ${outcome.error.slice(0, 500)},
      next_attempt_at = ${isoTime(next)}::timestamptz, failed_at = ${giveUp ? sql`${isoTime(now)}::timestamptz` : sql`null`}
    where ${mine}`);
  if (giveUp) log.warn("event delivery given up", { eventId: row.id, endpoint: row.endpoint, attempts: row.attempts, error: outcome.error });
  return giveUp ? "failed" : "retry";
}

// One batch: claim, deliver all at once, settle each. Returns how many rows it claimed.
export async function deliverBatch(runtime: CartRuntime, limit = runtime.settings.EVENTS_BATCH_SIZE): Promise<number> {
  if (!eventsRecorded(runtime)) return 0;
  const { rows, lease } = await claim(runtime, limit);
  await Promise.all(
    rows.map(async (row) => {
      const outcome = await attempt(runtime, row);
      const settled = await settle(runtime, row, lease, outcome);
      recordEventDelivery(row.endpoint === PROCESS_ENDPOINT ? "process" : "webhook", settled);
    }),
  );
  return rows.length;
}

// Every due row, batch after batch (at most MAX_BATCHES_PER_PASS): one delivery pass.
// `going`: whether to take another batch (a stopping worker ends its pass between batches).
export async function deliverDue(runtime: CartRuntime, going: () => boolean = () => true): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_PASS && going(); batch += 1) {
    const claimed = await deliverBatch(runtime);
    total += claimed;
    if (claimed < runtime.settings.EVENTS_BATCH_SIZE) break;
  }
  return total;
}

// The instance's worker: started with the instance (cart.start()), stopped with it
// (cart.stop()). It polls every EVENTS_POLL_MS, and at once after a change this process
// committed (the "cart changed" notification), without ever running on the request's path.
export class EventWorker {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private running = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly runtime: CartRuntime) {}

  get started(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || !eventsRecorded(this.runtime)) return;
    this.running = true;
    this.unsubscribe = this.runtime.onCartChanged(() => this.kick());
    this.schedule(0);
  }

  // Stops polling and waits for the batch in flight (its rows are settled, or their lease ends).
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.pass;
  }

  // One pass now, whether or not the worker runs (tests, operators): how many rows it attempted.
  deliverNow(): Promise<number> {
    return this.runtime.run(() => deliverDue(this.runtime));
  }

  private kick(): void {
    if (!this.running) return;
    if (this.pass) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    this.pass = this.runtime
      .run(async () => {
        try {
          await deliverDue(this.runtime, () => this.running);
        } catch (err) {
          log.warn("event delivery pass failed; trying again at the next poll", { err });
        }
      })
      .finally(() => {
        this.pass = undefined;
        const soon = this.again;
        this.again = false;
        if (this.running) this.schedule(soon ? 0 : this.runtime.settings.EVENTS_POLL_MS);
      });
  }
}
