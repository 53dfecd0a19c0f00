import { and, asc, eq, gt, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { cartItems, carts } from "../../db/schema";
import { isoTime } from "../time";
import type { Database } from "../storage/database";
import type { CartLine, CartSnapshot } from "./types";
import { lineIdOf, lineKeyOf, withProperties } from "./domain";
import { currentRuntime } from "../runtime/context";

// Postgres access for carts: small statements, all run inside the caller's transaction.
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
type Reader = Pick<Database, "select">;

export type CartRow = typeof carts.$inferSelect;

export function toSnapshot(cart: CartRow, lines: CartLine[]): CartSnapshot {
  return {
    id: cart.id,
    userId: cart.userId,
    status: cart.status,
    version: cart.version,
    currency: cart.currency,
    updatedAt: cart.updatedAt.toISOString(),
    note: cart.note ?? null,
    lines,
  };
}

export async function readLines(reader: Reader, cartId: string): Promise<CartLine[]> {
  const rows = await reader
    .select({
      productId: cartItems.productId,
      properties: cartItems.properties,
      quantity: cartItems.quantity,
      addedUnitPrice: cartItems.addedUnitPrice,
      addedAt: cartItems.addedAt,
    })
    .from(cartItems)
    .where(eq(cartItems.cartId, cartId))
    .orderBy(asc(cartItems.seq));
  return rows.map(({ properties, ...r }) => withProperties({ ...r, addedAt: r.addedAt.toISOString() }, properties));
}

type Executor = Pick<Database, "execute">;

// Rows of a raw statement, whichever driver ran it (postgres.js: an array; PGlite: `{ rows }`).
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : isoTime(Date.parse(value as string)));

// The carts of the serving instance (createCart's `scope`): on a shared database, each
// instance (market) reaches only its own, so a user signed in on two has a cart in each.
const cartScope = () => currentRuntime().scope;

// A cart row's owner, in the raw statements: a guest's (no user) or this user's, in this instance's scope.
const ownedBy = (userId: string | null) =>
  userId === null ? sql`user_id is null and scope = ${cartScope()}` : sql`user_id = ${userId} and scope = ${cartScope()}`;

// The cart and its lines in one statement: one consistent snapshot (never a version beside other lines).
export async function readSnapshot(reader: Executor, cartId: string): Promise<CartSnapshot | null> {
  const [row] = rowsOf<{
    id: string;
    user_id: string | null;
    status: CartSnapshot["status"];
    version: number;
    currency: string;
    updated_at: string | Date;
    note: string | null;
    lines: { productId: string; properties: Record<string, string>; quantity: number; addedUnitPrice: number; addedAt: string }[] | string;
  }>(
    await reader.execute(sql`
      select c.id, c.user_id, c.status, c.version, c.currency, c.updated_at, c.note,
        coalesce((select json_agg(json_build_object('productId', i.product_id, 'properties', i.properties, 'quantity', i.quantity,
                   'addedUnitPrice', i.added_unit_price, 'addedAt', i.added_at) order by i.seq)
                  from cart_lines i where i.cart_id = c.id), '[]'::json) as lines
      from cart_carts c where c.id = ${cartId} and c.scope = ${cartScope()}`),
  );
  if (!row) return null;
  const lines = typeof row.lines === "string" ? JSON.parse(row.lines) : row.lines;
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    version: Number(row.version),
    currency: row.currency.trim(),
    updatedAt: iso(row.updated_at),
    note: row.note ?? null,
    lines: lines.map(({ properties, ...l }: CartLine) => withProperties({ ...l, addedAt: iso(l.addedAt) }, properties)),
  };
}

// A fast path's event insert as one more step of its statement, run only when the line was written.
const recorded = (event: ((when: SQL) => SQL) | undefined) => (event ? sql`, recorded as (${event(sql`exists (select 1 from written)`)})` : sql``);

// Compare-and-set of one line: applies the change only if the cart is
// still at `expectedVersion` (checked under its row lock), bumping the
// version in the same statement. Returns the new version, or null when
// anything differs (the caller then takes the full, locked path).
export async function compareAndSetLine(
  db: Executor,
  cart: { id: string; userId: string | null; expectedVersion: number },
  change: { line: CartLine | null; productId: string; lineKey: string },
  // A further condition the change holds only under (the catalog's price check).
  guard: SQL | null = null,
  // The change's event (lib/events/outbox.ts), recorded by this statement when it writes.
  event?: (when: SQL) => SQL,
): Promise<{ version: number; updatedAt: string } | null> {
  const also = guard ? sql` and ${guard}` : sql``;
  const write = change.line
    ? sql`insert into cart_lines (cart_id, product_id, line_key, properties, quantity, added_unit_price, added_at)
          select ${cart.id}, ${change.productId}, ${change.lineKey}, ${JSON.stringify(change.line.properties ?? {})}::jsonb, ${change.line.quantity},
            ${change.line.addedUnitPrice}, ${change.line.addedAt}::timestamptz
          where exists (select 1 from locked)
          on conflict (cart_id, product_id, line_key) do update set quantity = excluded.quantity
          returning 1`
    : sql`delete from cart_lines where cart_id = ${cart.id} and product_id = ${change.productId} and line_key = ${change.lineKey}
          and exists (select 1 from locked) returning 1`;
  const [row] = rowsOf<{ version: number; updated_at: string | Date }>(
    await db.execute(sql`
      with locked as (
        select id from cart_carts
        where id = ${cart.id} and version = ${cart.expectedVersion} and status = 'active' and ${ownedBy(cart.userId)}${also}
        for update
      ),
      written as (${write})${recorded(event)}
      update cart_carts set version = version + 1, updated_at = now()
      where id = ${cart.id} and exists (select 1 from written)
      returning version, updated_at`),
  );
  return row ? { version: Number(row.version), updatedAt: iso(row.updated_at) } : null;
}

// A guest's first change, when it makes a cart of one line: the cart (at version 1) and its
// line in one statement, only if `guard` holds. The id was allocated by this request, so no
// other writer can hold it; null when the id exists after all or the guard fails.
export async function createWithLine(
  db: Executor,
  cart: { id: string; currency: string },
  line: CartLine,
  guard: SQL | null,
  event?: (when: SQL) => SQL,
): Promise<{ version: number; updatedAt: string } | null> {
  const where = guard ? sql`where ${guard}` : sql``;
  const [row] = rowsOf<{ version: number; updated_at: string | Date }>(
    await db.execute(sql`
      with created as (
        insert into cart_carts (id, user_id, currency, version, scope)
        select ${cart.id}, null, ${cart.currency}, 1, ${cartScope()} ${where}
        on conflict (id) do nothing
        returning version, updated_at
      ),
      written as (
        insert into cart_lines (cart_id, product_id, line_key, properties, quantity, added_unit_price, added_at)
        select ${cart.id}, ${line.productId}, ${lineKeyOf(line.properties)}, ${JSON.stringify(line.properties ?? {})}::jsonb, ${line.quantity},
          ${line.addedUnitPrice}, ${line.addedAt}::timestamptz from created
        returning 1
      )${recorded(event)}
      select version, updated_at from created where exists (select 1 from written)`),
  );
  return row ? { version: Number(row.version), updatedAt: iso(row.updated_at) } : null;
}

// The version of this owner's active cart, or null: what a no-op compares its cached copy with.
export async function storedVersion(db: Executor, cartId: string, userId: string | null): Promise<number | null> {
  const [row] = rowsOf<{ version: number }>(
    await db.execute(sql`select version from cart_carts where id = ${cartId} and status = 'active' and ${ownedBy(userId)}`),
  );
  return row ? Number(row.version) : null;
}

// Takes the cart's row lock and bumps its version in one statement: every
// writer of a cart passes here first, so changes to one cart run one at a
// time and each sees the one before. Only an active cart of this owner
// matches (a guest cart only within its recovery window). The caller rolls
// the transaction back when its change turns out to be a no-op.
export async function lockAndBump(tx: Tx, cartId: string, userId: string | null, guestCutoff: Date): Promise<CartRow | null> {
  const owner = and(
    eq(carts.scope, cartScope()),
    userId === null ? and(isNull(carts.userId), gt(carts.updatedAt, guestCutoff)) : eq(carts.userId, userId),
  );
  const [row] = await tx
    .update(carts)
    .set({ version: sql`${carts.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(carts.id, cartId), eq(carts.status, "active"), owner))
    .returning();
  return row ?? null;
}

// Creates the cart row with the session's pre-allocated id unless it exists.
// Concurrent first adds all land here; the primary key makes them share one
// cart. Another owner's id is never touched (it cannot match lockAndBump).
export async function ensureCart(tx: Tx, cartId: string, userId: string | null, currency: string): Promise<void> {
  await tx.insert(carts).values({ id: cartId, userId, currency, scope: cartScope() }).onConflictDoNothing({ target: carts.id });
}

// Writes the difference between two line lists: one upsert for new or
// changed lines, one delete for removed ones. Absolute quantities are exact
// here because the caller holds the cart's row lock (see lockAndBump).
export async function writeLines(tx: Tx, cartId: string, before: readonly CartLine[], after: readonly CartLine[]): Promise<void> {
  const previous = new Map(before.map((l) => [lineIdOf(l), l.quantity]));
  const upserts = after.filter((l) => previous.get(lineIdOf(l)) !== l.quantity);
  const kept = new Set(after.map(lineIdOf));
  const removed = before.filter((l) => !kept.has(lineIdOf(l)));

  const writes: Promise<unknown>[] = [];
  if (removed.length > 0) {
    const plain = removed.filter((l) => lineKeyOf(l.properties) === "").map((l) => l.productId);
    const withProperties = removed.filter((l) => lineKeyOf(l.properties) !== "");
    const which = or(
      plain.length > 0 ? and(eq(cartItems.lineKey, ""), inArray(cartItems.productId, plain)) : undefined,
      ...withProperties.map((l) => and(eq(cartItems.productId, l.productId), eq(cartItems.lineKey, lineKeyOf(l.properties)))),
    );
    writes.push(tx.delete(cartItems).where(and(eq(cartItems.cartId, cartId), which)));
  }
  if (upserts.length > 0) {
    writes.push(tx
      .insert(cartItems)
      .values(
        upserts.map((l) => ({
          cartId,
          productId: l.productId,
          lineKey: lineKeyOf(l.properties),
          properties: l.properties ?? {},
          quantity: l.quantity,
          addedUnitPrice: l.addedUnitPrice,
          addedAt: new Date(l.addedAt),
        })),
      )
      .onConflictDoUpdate({
        target: [cartItems.cartId, cartItems.productId, cartItems.lineKey],
        set: { quantity: sql`excluded.quantity` },
      }),
    );
  }
  // Disjoint lines: both statements go out together on the transaction's connection.
  await Promise.all(writes);
}


// The user's one active cart, created (empty, version 0) when they have none.
export async function ensureUserCart(tx: Tx, userId: string, currency: string): Promise<string> {
  // No conflict target: the partial unique index (one active cart per user and scope) is what conflicts.
  await tx.insert(carts).values({ userId, currency, scope: cartScope() }).onConflictDoNothing();
  const id = await activeCartIdForUser(tx, userId);
  if (!id) throw new Error("user cart vanished after creation");
  return id;
}

export async function activeCartIdForUser(reader: Reader, userId: string): Promise<string | null> {
  const [row] = await reader
    .select({ id: carts.id })
    .from(carts)
    .where(and(eq(carts.userId, userId), eq(carts.scope, cartScope()), eq(carts.status, "active")))
    .limit(1);
  return row?.id ?? null;
}

// Locks several carts in id order, the one order every multi-cart writer uses (no deadlocks).
export async function lockCarts(tx: Tx, ids: string[]): Promise<CartRow[]> {
  return tx
    .select()
    .from(carts)
    .where(and(inArray(carts.id, ids), eq(carts.scope, cartScope())))
    .orderBy(asc(carts.id))
    .for("update");
}

export async function bumpVersion(tx: Tx, cartId: string, change: Partial<Pick<CartRow, "status" | "mergedInto" | "note">> = {}): Promise<CartRow> {
  const [row] = await tx
    .update(carts)
    .set({ ...change, version: sql`${carts.version} + 1`, updatedAt: sql`now()` })
    .where(eq(carts.id, cartId))
    .returning();
  if (!row) throw new Error("cart vanished while locked");
  return row;
}

// Whether the cart was merged into a user's cart after `since` (a sign-in that a request raced).
export async function mergedSince(reader: Reader, cartId: string, since: Date): Promise<boolean> {
  const [row] = await reader
    .select({ id: carts.id })
    .from(carts)
    .where(and(eq(carts.id, cartId), eq(carts.status, "merged"), gt(carts.updatedAt, since)))
    .limit(1);
  return row !== undefined;
}

// Sets the note of a cart the caller holds locked.
export async function writeNote(tx: Tx, cartId: string, note: string | null): Promise<void> {
  await tx.update(carts).set({ note }).where(eq(carts.id, cartId));
}
