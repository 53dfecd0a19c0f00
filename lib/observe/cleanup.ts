import { deleteExpiredOutcomes } from "@/lib/cart/idempotency";
import { deleteExpiredRecoveryLinks } from "@/lib/cart/recovery";
import { deleteExpiredGuestCarts } from "@/lib/jobs/cart-cleanup";
import { recordCleanupRun } from "./metrics";

/**
 * The thin interface the dashboard uses to run the cleanup and show its
 * last runs. Today it is backed by lib/jobs/cart-cleanup.ts; the cleanup
 * job being rewritten replaces what runCleanup calls and where
 * lastCleanupRuns reads from, and keeps calling recordCleanupRun.
 */
export interface CleanupRun {
  startedAt: string;
  durationMs: number;
  trigger: string;
  ok: boolean;
  /** Rows removed by kind. */
  removed: Record<string, number>;
}

const KEPT = 20;
// The last runs of this instance (a log of runs, not of counts: those are the metrics').
const RUNS = Symbol.for("next-cart.observe.cleanup-runs");
const runs = ((globalThis as unknown as { [RUNS]?: CleanupRun[] })[RUNS] ??= []);

export async function runCleanup(trigger: string): Promise<CleanupRun> {
  const started = Date.now();
  const removed: Record<string, number> = {};
  let ok = true;
  try {
    removed.guest_carts = await deleteExpiredGuestCarts();
    await deleteExpiredOutcomes(); // counts nothing yet (the new job will)
    removed.recovery_links = await deleteExpiredRecoveryLinks();
  } catch (err) {
    ok = false;
    throw err;
  } finally {
    recordCleanupRun(removed, ok ? "ok" : "failed");
    runs.unshift({ startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, trigger, ok, removed });
    runs.length = Math.min(runs.length, KEPT);
  }
  return runs[0]!;
}

/** Newest first. */
export function lastCleanupRuns(): CleanupRun[] {
  return runs.slice();
}
