import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import { checkouts } from "../../db/schema";
import { productsById } from "../cart/catalog";
import { cacheCart } from "../cart/cache";
import { cartLimits, currency, getCart, notifyChanged, successorCartId } from "../cart/changes";
import { linesAfterSnapshot, mergeLines, mergeNotes } from "../cart/domain";
import { bumpVersion, ensureCart, ensureUserCart, lockCarts, readLines, readSnapshot, toSnapshot, writeLines, type Tx } from "../cart/repository";
import type { CartNotice, CartRef, CartSnapshot, LineProperties } from "../cart/types";
import { buildCartView } from "../cart/view";
import { env } from "../config/env";
import { AppError } from "../errors";
import { currentRuntime } from "../runtime/context";
import { db } from "../storage/database";
import { EventPricing, recordEvent } from "../events/outbox";
import type { CartEventData } from "../events/types";

// The checkout handoff: a priced snapshot of a cart that the host's checkout takes over, and
// the three state changes it goes through. Each change (create, cancel, complete) is ONE
// function running ONE transaction, with the transaction handle in scope at the point where the
// change is decided (marked "the change's event" below), so whatever must be written with the
// change (an outbox row) goes into the same commit.
//
// - Creating changes nothing in the cart: its row is locked (FOR UPDATE, no version bump) only
//   so that the snapshot is of exactly the version it names. While the version is unchanged,
//   the open checkout of that version is answered again.
// - Completing marks the cart `ordered` and moves its owner to the next cart — the user's new
//   active cart, or a guest cart's successor (lib/cart/changes.ts successorCartId), both
//   reached by every device through the rules that already follow a merged cart — holding
//   exactly what was added after the snapshot (lib/cart/domain.ts linesAfterSnapshot). The
//   checkout's row and then the cart's are locked, so a change racing the completion either
//   committed first (and is carried over) or waits and lands in the next cart.

export type CheckoutStatus = "open" | "completed" | "cancelled";

export interface CheckoutLine {
  lineId: string;
  productId: string;
  name: string;
  unitPrice: number;
  quantity: number;
  properties: LineProperties;
  lineTotal: number;
}

export interface CheckoutView {
  id: string;
  status: CheckoutStatus;
  cartVersion: number;
  currency: string;
  lines: CheckoutLine[];
  note: string | null;
  itemCount: number;
  subtotal: number;
  createdAt: string;
  expiresAt: string;
  orderId?: string;
  completedAt?: string;
  cancelledAt?: string;
}

type Row = typeof checkouts.$inferSelect;

// A checkout event's data: the cart as the checkout saw it (its snapshot) and the checkout itself.
function checkoutEventData(row: Row): CartEventData {
  const checkout = toCheckoutView(row);
  return {
    cartId: row.cartId,
    version: row.cartVersion,
    userId: row.userId,
    currency: checkout.currency,
    lines: checkout.lines,
    note: checkout.note,
    itemCount: checkout.itemCount,
    subtotal: checkout.subtotal,
    checkout,
  };
}

export function toCheckoutView(row: Row): CheckoutView {
  const view: CheckoutView = {
    id: row.id,
    status: row.status,
    cartVersion: row.cartVersion,
    currency: row.currency.trim(),
    lines: row.lines,
    note: row.note,
    itemCount: row.itemCount,
    subtotal: row.subtotal,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
  if (row.orderId !== null) view.orderId = row.orderId;
  if (row.completedAt) view.completedAt = row.completedAt.toISOString();
  if (row.cancelledAt) view.cancelledAt = row.cancelledAt.toISOString();
  return view;
}

const scope = () => currentRuntime().scope;
const now = () => new Date(currentRuntime().now());
const newCheckoutId = () => `chk_${randomBytes(16).toString("base64url")}`;

function notFound(): AppError {
  return new AppError("CHECKOUT_NOT_FOUND", "There is no such checkout.");
}

// The cart moved on between the read and the lock: read again.
class CartMoved extends Error {
  constructor() {
    super("cart moved");
  }
}

// What a checkout of this stored cart would hold, priced by `products` (read fresh, outside any lock).
function quote(snapshot: CartSnapshot, products: Awaited<ReturnType<typeof productsById>>): { lines: CheckoutLine[]; notices: CartNotice[] } {
  const view = buildCartView(snapshot, products);
  const notices = [...view.notices];
  const lines: CheckoutLine[] = [];
  for (const item of view.items) {
    const product = products.get(item.productId);
    if (!item.available) continue;
    if (product && product.currency !== currency()) {
      notices.push({ type: "unavailable", productId: item.productId, message: `${item.name} is not sold in ${currency()}.` });
      continue;
    }
    const { lineId, productId, name, unitPrice, quantity, properties, lineTotal } = item;
    lines.push({ lineId, productId, name, unitPrice, quantity, properties, lineTotal });
  }
  return { lines, notices };
}

// POST /api/cart/checkout: the cart's lines on sale, priced fresh, as an open checkout.
export async function createCheckout(ref: CartRef): Promise<{ checkout: CheckoutView; notices: CartNotice[]; cartId: string }> {
  const reached = await getCart(ref);
  if (reached.cart.id === null || reached.cart.items.length === 0) throw new AppError("CART_EMPTY", "There is nothing in the cart to check out.");
  const cartId = reached.cartId;
  const database = await db();
  for (let attempt = 0; ; attempt += 1) {
    const snapshot = await readSnapshot(database, cartId);
    if (!snapshot || snapshot.status !== "active" || snapshot.userId !== ref.userId || snapshot.lines.length === 0) {
      throw new AppError("CART_EMPTY", "There is nothing in the cart to check out.");
    }
    // Fresh prices, read before the cart's lock (never the catalog under a lock).
    const { lines, notices } = quote(snapshot, await productsById(snapshot.lines.map((l) => l.productId), { fresh: true }));
    if (lines.length === 0) throw new AppError("CART_EMPTY", "Nothing in the cart is on sale any more.", { notices });
    try {
      const row = await database.transaction(async (tx) => {
        const [cart] = await lockCarts(tx, [cartId]);
        if (!cart || cart.status !== "active" || cart.version !== snapshot.version) throw new CartMoved();
        const createdAt = now();
        const [open] = await tx
          .select()
          .from(checkouts)
          .where(and(eq(checkouts.cartId, cartId), eq(checkouts.status, "open"), eq(checkouts.cartVersion, snapshot.version)))
          .orderBy(desc(checkouts.createdAt))
          .limit(1);
        if (open && open.expiresAt.getTime() > createdAt.getTime()) return open;
        const [created] = await tx
          .insert(checkouts)
          .values({
            id: newCheckoutId(),
            cartId,
            userId: cart.userId,
            scope: scope(),
            status: "open",
            cartVersion: snapshot.version,
            currency: snapshot.currency,
            lines,
            note: snapshot.note ?? null,
            itemCount: lines.reduce((n, l) => n + l.quantity, 0),
            subtotal: lines.reduce((n, l) => n + l.lineTotal, 0),
            notices,
            createdAt,
            expiresAt: new Date(createdAt.getTime() + env().CHECKOUT_TTL_MINUTES * 60_000),
          })
          .returning();
        // The change's event, in this transaction (lib/events/outbox.ts).
        await recordEvent(tx, "checkout.created", checkoutEventData(created!));
        return created!;
      });
      return { checkout: toCheckoutView(row), notices: row.notices as CartNotice[], cartId };
    } catch (err) {
      if (!(err instanceof CartMoved) || attempt >= 4) throw err;
    }
  }
}

// The caller's checkouts: a user's by user, a guest's by the cart it was made of or the cart
// its completion moved the guest to.
function ownedBy(ref: CartRef) {
  return ref.userId !== null
    ? and(eq(checkouts.userId, ref.userId), eq(checkouts.scope, scope()))
    : and(isNull(checkouts.userId), eq(checkouts.scope, scope()), or(eq(checkouts.cartId, ref.cartId), eq(checkouts.nextCartId, ref.cartId)));
}

// GET /api/cart/checkout: the caller's latest checkout.
export async function latestCheckout(ref: CartRef): Promise<CheckoutView> {
  if (ref.newCart) throw notFound();
  const [row] = await (await db()).select().from(checkouts).where(ownedBy(ref)).orderBy(desc(checkouts.createdAt)).limit(1);
  if (!row) throw notFound();
  return toCheckoutView(row);
}

// DELETE /api/cart/checkout: cancels the caller's latest checkout when it is open (the cart is
// untouched); a cancelled one is answered as it is.
export async function cancelCheckout(ref: CartRef): Promise<CheckoutView> {
  if (ref.newCart) throw notFound();
  const row = await (await db()).transaction(async (tx) => {
    const [latest] = await tx.select().from(checkouts).where(ownedBy(ref)).orderBy(desc(checkouts.createdAt)).limit(1).for("update");
    if (!latest) throw notFound();
    if (latest.status === "completed") throw new AppError("CHECKOUT_COMPLETED", "This checkout is completed already.");
    if (latest.status === "cancelled") return latest;
    const [cancelled] = await tx
      .update(checkouts)
      .set({ status: "cancelled", cancelledAt: now() })
      .where(eq(checkouts.id, latest.id))
      .returning();
    // The change's event, in this transaction (lib/events/outbox.ts).
    await recordEvent(tx, "checkout.cancelled", checkoutEventData(cancelled!));
    return cancelled!;
  });
  return toCheckoutView(row);
}

// GET /api/checkouts/{id} (bearer): any checkout of this instance, by id.
export async function readCheckout(id: string): Promise<CheckoutView> {
  const [row] = await (await db()).select().from(checkouts).where(and(eq(checkouts.id, id), eq(checkouts.scope, scope()))).limit(1);
  if (!row) throw notFound();
  return toCheckoutView(row);
}

// The owner's next cart, locked: a user's new active cart (the ordered one no longer holds the
// one-active-cart index), or a guest cart's successor (created when missing).
async function nextCart(tx: Tx, ordered: { id: string; userId: string | null; currency: string }) {
  const nextId =
    ordered.userId !== null ? await ensureUserCart(tx, ordered.userId, ordered.currency) : successorCartId(ordered.id);
  if (ordered.userId === null) await ensureCart(tx, nextId, null, ordered.currency);
  const [next] = await lockCarts(tx, [nextId]);
  if (!next) throw new Error("the next cart vanished while locked");
  return next;
}

// POST /api/checkouts/{id}/complete and cart.checkouts.complete: the host's order system says
// the checkout became an order. The same orderId again answers the same completed checkout.
export async function completeCheckout(id: string, input: { orderId: string }): Promise<CheckoutView> {
  const database = await db();
  let written: CartSnapshot[] = [];
  // The next cart's event needs its products' names and prices, never read under a lock: a first
  // attempt that meets products it was not given runs again with them (lib/events/outbox.ts).
  const priced = new EventPricing([], null);
  const row = await priced.retrying(() => database.transaction(async (tx) => {
    written = [];
    const [checkout] = await tx.select().from(checkouts).where(and(eq(checkouts.id, id), eq(checkouts.scope, scope()))).for("update");
    if (!checkout) throw notFound();
    if (checkout.status === "completed") {
      if (checkout.orderId === input.orderId) return checkout;
      throw new AppError("CHECKOUT_COMPLETED", "This checkout was completed with another order id.", { orderId: checkout.orderId });
    }
    if (checkout.status === "cancelled") throw new AppError("CHECKOUT_CANCELLED", "This checkout was cancelled.");
    // Never refused for being past expiresAt: the order is paid.
    const [cart] = await lockCarts(tx, [checkout.cartId]);
    let nextCartId: string | null = null;
    // A cart that is no longer active (ordered by another checkout of it, merged at a sign-in)
    // is left as it is: the checkout is completed all the same.
    if (cart && cart.status === "active") {
      const lines = await readLines(tx, cart.id);
      const carried = linesAfterSnapshot(lines, checkout.lines);
      // The note is carried only when it changed after the snapshot.
      const carriedNote = (cart.note ?? null) !== checkout.note ? (cart.note ?? null) : null;
      written.push(toSnapshot(await bumpVersion(tx, cart.id, { status: "ordered" }), lines));
      const next = await nextCart(tx, cart);
      const nextLines = next.version === 0 ? [] : await readLines(tx, next.id);
      const merged = mergeLines(nextLines, carried, cartLimits());
      const note = mergeNotes(next.note ?? null, carriedNote);
      if (merged.changed) await writeLines(tx, next.id, nextLines, merged.lines);
      // Written (version ≥ 1) even when empty: the cart the owner now sees has an id, so a client
      // still showing the ordered cart takes it (a never-written cart never replaces a written one).
      const after = toSnapshot(await bumpVersion(tx, next.id, { note }), merged.lines);
      written.push(after);
      // The cart the owner now sees changed too (what was added after the snapshot): its event.
      await priced.record(tx, next.version === 0 ? "cart.created" : "cart.updated", after, { carriedFrom: cart.id });
      nextCartId = next.id;
    }
    const [completed] = await tx
      .update(checkouts)
      .set({ status: "completed", orderId: input.orderId, completedAt: now(), nextCartId })
      .where(eq(checkouts.id, checkout.id))
      .returning();
    // The change's event, in this transaction (lib/events/outbox.ts).
    await recordEvent(tx, "checkout.completed", checkoutEventData(completed!));
    return completed!;
  }));
  // After the commit: the cache learns the ordered cart and the next one (an entry is replaced
  // only by a newer version), and "cart changed" is said for both: the ordered cart's listeners
  // and the cart its owner now sees.
  await Promise.all(written.map(cacheCart));
  for (const snapshot of written) notifyChanged(snapshot);
  return toCheckoutView(row);
}
