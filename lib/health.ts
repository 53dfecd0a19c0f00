import { database } from "./storage/database";
import { store } from "./storage/store";
import { currentRuntime } from "./runtime/context";

export type Health = Awaited<ReturnType<typeof checkHealth>>;

// GET /api/health answers from one check shared for a second by every caller of the instance
// (concurrent ones included): it is outside admission control, so a flood of probes must not
// become a flood of Postgres and Redis round trips.
export function sharedHealth(): Promise<Health> {
  const runtime = currentRuntime();
  const now = performance.now();
  const last = runtime.health;
  if (last && now - last.at < 1000) return last.result as Promise<Health>;
  const result = checkHealth();
  runtime.health = { at: now, result };
  return result;
}

// A failover's gap: the old primary gone and the new one not yet answering (pg_auto_failover
// restarts a node to promote it: about a second here; the target for the whole switch is
// 15 s). Within this of the database's last answer the instance is degraded, not down.
const FAILOVER_GAP_MS = 15_000;

// Checks each backend with a bounded wait and says what is true right now:
// which check failed, in our words only. A backend's own error text (host
// names, ports, credentials in a URL) stays out of the answer.
export async function checkHealth() {
  const runtime = currentRuntime();
  const [postgres, redis] = await Promise.all([checkDatabase(), checkStore()]);
  const now = runtime.now();
  if (postgres.ok || postgres.error === "read-only") runtime.databaseAnsweredAt = now;
  // Degraded, not down, while writes cannot commit but the database answers (it answered just
  // now), or answered moments ago: reads are still served from the cache, and an orchestrator that
  // pulled every instance out of rotation for a failover would close the shop. Down: no answer
  // for longer than that.
  const answeredLately = now - (runtime.databaseAnsweredAt ?? -Infinity) < FAILOVER_GAP_MS;
  const status = postgres.ok ? (redis.ok ? "ok" : "degraded") : answeredLately ? "degraded" : "down";
  return { status, checks: { postgres, redis } };
}

async function checkDatabase() {
  const started = performance.now();
  try {
    const handle = await database();
    const writes = await Promise.race([
      handle.writability(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), 2000)),
    ]);
    const latencyMs = Math.round(performance.now() - started);
    return writes === "writable" ? { ok: true, kind: handle.kind, latencyMs } : { ok: false, kind: handle.kind, latencyMs, error: "read-only" as const };
  } catch {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: "unreachable" as const };
  }
}

async function checkStore() {
  const kv = await store();
  const { ok, latencyMs } = await kv.check();
  return ok ? { kind: kv.kind, ok, latencyMs } : { kind: kv.kind, ok, latencyMs, error: "unreachable" };
}
