import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { cartItems, carts } from "@/db/schema";
import type { Database } from "@/lib/storage/database";
import type { CartLine, CartSnapshot } from "./types";

/** Postgres access for carts: small statements, all run inside the caller's transaction. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
type Reader = Pick<Database, "select">;

type CartRow = typeof carts.$inferSelect;

export function toSnapshot(cart: CartRow, lines: CartLine[]): CartSnapshot {
  return {
    id: cart.id,
    userId: cart.userId,
    status: cart.status,
    version: cart.version,
    currency: cart.currency,
    updatedAt: cart.updatedAt.toISOString(),
    lines,
  };
}

export async function readLines(reader: Reader, cartId: string): Promise<CartLine[]> {
  const rows = await reader
    .select({
      productId: cartItems.productId,
      quantity: cartItems.quantity,
      addedUnitPrice: cartItems.addedUnitPrice,
      addedAt: cartItems.addedAt,
    })
    .from(cartItems)
    .where(eq(cartItems.cartId, cartId))
    .orderBy(asc(cartItems.seq));
  return rows.map((r) => ({ ...r, addedAt: r.addedAt.toISOString() }));
}

export async function readSnapshot(reader: Reader, cartId: string): Promise<CartSnapshot | null> {
  const [[cart], lines] = await Promise.all([
    reader.select().from(carts).where(eq(carts.id, cartId)).limit(1),
    readLines(reader, cartId),
  ]);
  return cart ? toSnapshot(cart, lines) : null;
}

/**
 * Locks an active cart that this owner may reach (`FOR UPDATE`): every writer
 * of a cart takes this lock first, so changes to one cart run one at a time
 * and each sees the one before.
 */
export async function lockCart(tx: Tx, cartId: string, userId: string | null): Promise<CartRow | null> {
  const owner = userId === null ? isNull(carts.userId) : eq(carts.userId, userId);
  const [row] = await tx
    .select()
    .from(carts)
    .where(and(eq(carts.id, cartId), eq(carts.status, "active"), owner))
    .for("update");
  return row ?? null;
}

/**
 * Creates the cart row with the session's pre-allocated id unless it exists.
 * Concurrent first adds all land here; the unique key makes them share one
 * cart. False when the id exists but belongs to another owner or is closed.
 */
export async function ensureCart(tx: Tx, cartId: string, userId: string | null, currency: string): Promise<boolean> {
  await tx.insert(carts).values({ id: cartId, userId, currency }).onConflictDoNothing({ target: carts.id });
  const [row] = await tx
    .select({ userId: carts.userId, status: carts.status })
    .from(carts)
    .where(eq(carts.id, cartId))
    .limit(1);
  return row !== undefined && row.userId === userId && row.status === "active";
}

/**
 * Writes the difference between two line lists: one upsert for new or
 * changed lines, one delete for removed ones. Absolute quantities are exact
 * here because the caller holds the cart's row lock.
 */
export async function writeLines(tx: Tx, cartId: string, before: readonly CartLine[], after: readonly CartLine[]): Promise<void> {
  const previous = new Map(before.map((l) => [l.productId, l.quantity]));
  const upserts = after.filter((l) => previous.get(l.productId) !== l.quantity);
  const kept = new Set(after.map((l) => l.productId));
  const removed = before.filter((l) => !kept.has(l.productId)).map((l) => l.productId);

  if (removed.length > 0) {
    await tx.delete(cartItems).where(and(eq(cartItems.cartId, cartId), inArray(cartItems.productId, removed)));
  }
  if (upserts.length > 0) {
    await tx
      .insert(cartItems)
      .values(
        upserts.map((l) => ({
          cartId,
          productId: l.productId,
          quantity: l.quantity,
          addedUnitPrice: l.addedUnitPrice,
          addedAt: new Date(l.addedAt),
        })),
      )
      .onConflictDoUpdate({
        target: [cartItems.cartId, cartItems.productId],
        set: { quantity: sql`excluded.quantity` },
      });
  }
}

/** Bumps the version in the same transaction as the change it versions. */
export async function bumpVersion(tx: Tx, cartId: string): Promise<CartRow> {
  const [row] = await tx
    .update(carts)
    .set({ version: sql`${carts.version} + 1`, updatedAt: sql`now()` })
    .where(eq(carts.id, cartId))
    .returning();
  if (!row) throw new Error("cart vanished while locked");
  return row;
}
