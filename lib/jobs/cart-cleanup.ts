import { and, isNull, lt, sql } from "drizzle-orm";
import { carts } from "@/db/schema";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log/logger";
import { deleteExpiredOutcomes } from "@/lib/cart/idempotency";
import { deleteExpiredRecoveryLinks } from "@/lib/cart/recovery";
import { db } from "@/lib/storage/database";

/**
 * Deletes guest carts past their recovery window, in small batches so a
 * backlog never holds long locks. User carts are never deleted here: they
 * are kept at least USER_CART_RETENTION_DAYS and nothing shortens that.
 */
const BATCH = 500;
const INTERVAL_MS = 10 * 60_000;

export async function deleteExpiredGuestCarts(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - env().GUEST_CART_RECOVERY_DAYS * 86_400_000);
  const database = await db();
  let total = 0;
  for (;;) {
    const expired = database
      .select({ id: carts.id })
      .from(carts)
      .where(and(isNull(carts.userId), lt(carts.updatedAt, cutoff)))
      .limit(BATCH);
    const deleted = await database
      .delete(carts)
      .where(sql`${carts.id} in (${expired})`)
      .returning({ id: carts.id });
    total += deleted.length;
    if (deleted.length < BATCH) return total;
  }
}

/** Runs the cleanup every ten minutes or so in each instance; the statements are idempotent. */
export function startCartCleanup(): void {
  const globalForJob = globalThis as unknown as { __cartCleanup?: NodeJS.Timeout };
  if (globalForJob.__cartCleanup) return;
  const run = () =>
    deleteExpiredGuestCarts()
      .then((n) => n > 0 && log.info("deleted expired guest carts", { count: n }))
      .then(() => deleteExpiredOutcomes())
      .then(() => deleteExpiredRecoveryLinks())
      .catch((err: unknown) => log.warn("cleanup failed", { err }));
  // Jittered so many instances do not all start their batches together.
  globalForJob.__cartCleanup = setInterval(run, INTERVAL_MS + Math.floor(Math.random() * 60_000));
  globalForJob.__cartCleanup.unref();
}
