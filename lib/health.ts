import { sql } from "drizzle-orm";
import { database } from "./storage/database";
import { store } from "./storage/store";

// Checks each backend with a bounded wait and says what is true right now:
// which check failed, in our words only. A backend's own error text (host
// names, ports, credentials in a URL) stays out of the answer.
export async function checkHealth() {
  const [postgres, redis] = await Promise.all([checkDatabase(), checkStore()]);
  const status = !postgres.ok ? "down" : redis.ok ? "ok" : "degraded";
  return { status, checks: { postgres, redis } };
}

async function checkDatabase() {
  const started = performance.now();
  try {
    const handle = await database();
    await Promise.race([
      handle.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 2000)),
    ]);
    return { ok: true, kind: handle.kind, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: "unreachable" };
  }
}

async function checkStore() {
  const kv = await store();
  const { ok, latencyMs } = await kv.check();
  return ok ? { kind: kv.kind, ok, latencyMs } : { kind: kv.kind, ok, latencyMs, error: "unreachable" };
}
