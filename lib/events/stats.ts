import { sql } from "drizzle-orm";
import type { CartRuntime } from "../runtime/runtime";

// The outbox at a glance (the dashboard, the metrics): rows still to deliver, never tried
// (waiting) or tried and failed at least once (failing); delivered and given up (kept
// EVENTS_KEEP_DAYS); the oldest undelivered event's time.
export interface EventStats {
  waiting: number;
  failing: number;
  delivered: number;
  failed: number;
  oldestPendingAt: string | null;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

// Pending rows only, through the worker's partial index: cheap enough for every scrape.
export async function pendingEventCounts(runtime: CartRuntime): Promise<{ waiting: number; failing: number; oldestPendingAt: string | null }> {
  const [row] = rowsOf<{ waiting: number | string; failing: number | string; oldest: string | Date | null }>(
    await (await runtime.db()).execute(sql`
      select count(*) filter (where attempts = 0)::int as waiting, count(*) filter (where attempts > 0)::int as failing, min(created_at) as oldest
      from cart_event_outbox where scope = ${runtime.scope} and delivered_at is null and failed_at is null`),
  );
  return {
    waiting: Number(row?.waiting ?? 0),
    failing: Number(row?.failing ?? 0),
    oldestPendingAt: row?.oldest ? new Date(row.oldest).toISOString() : null,
  };
}

export async function eventStats(runtime: CartRuntime): Promise<EventStats> {
  const [pending, done] = await Promise.all([
    pendingEventCounts(runtime),
    (async () => {
      const [row] = rowsOf<{ delivered: number | string; failed: number | string }>(
        await (await runtime.db()).execute(sql`
          select count(*) filter (where delivered_at is not null)::int as delivered, count(*) filter (where failed_at is not null)::int as failed
          from cart_event_outbox where scope = ${runtime.scope}`),
      );
      return { delivered: Number(row?.delivered ?? 0), failed: Number(row?.failed ?? 0) };
    })(),
  ]);
  return { ...pending, ...done };
}
