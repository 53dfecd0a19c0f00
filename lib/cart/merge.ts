import { env } from "../config/env";
import { recordCartOperation, recordMerge } from "../observe/metrics";
import { db } from "../storage/database";
import { cacheCart } from "./cache";
import { guestCartCutoff } from "./guest-window";
import { eq } from "drizzle-orm";
import { carts } from "../../db/schema";
import { mergeLines, mergeNotes, type MergeResult } from "./domain";
import { bumpVersion, ensureUserCart, lockCarts, readLines, toSnapshot, writeLines, type Tx } from "./repository";
import { cartLimits, notifyChanged, successorCartId } from "./service";
import { EventPricing } from "../events/outbox";
import type { CartNotice, CartSnapshot } from "./types";

// Sign-in: the guest cart's lines join the user's cart by the add rule
// (quantities add up, capped per line), in one transaction that locks both
// carts. The guest cart is closed as `merged` and remembers its target, so
// merging it again (a retried sign-in, a second tab) changes nothing.
export interface MergeOutcome {
  userCartId: string;
  notices: CartNotice[];
}

// A guest cart that was ordered (its checkout completed) left its shopper in its successor,
// which holds what was added after the checkout: that is the cart to merge.
async function currentGuestCart(tx: Tx, cartId: string): Promise<string> {
  let id = cartId;
  for (let hop = 0; hop < 4; hop += 1) {
    const [row] = await tx.select({ status: carts.status, userId: carts.userId }).from(carts).where(eq(carts.id, id));
    if (!row || row.status !== "ordered" || row.userId !== null) return id;
    id = successorCartId(id);
  }
  return id;
}

export async function mergeGuestCartIntoUser(requestedGuestCartId: string | null, userId: string): Promise<MergeOutcome> {
  const database = await db();
  const cutoff = guestCartCutoff().getTime();
  let written: CartSnapshot[] = [];
  // For the metrics: whether guest lines joined the user's cart, and whether that changed it.
  let merged: { lines: number; changed: boolean } | null = null;
  // The event's products, read before the lock (nothing reads the catalog under one); a cart
  // that changed in between has the transaction run again with the products it lacked.
  const priced = new EventPricing(requestedGuestCartId ? [requestedGuestCartId] : [], userId);
  const outcome = await priced.retrying(() => database.transaction(async (tx) => {
    written = [];
    merged = null;
    const userCartId = await ensureUserCart(tx, userId, env().CART_CURRENCY);
    const guestCartId = requestedGuestCartId ? await currentGuestCart(tx, requestedGuestCartId) : null;
    if (!guestCartId || guestCartId === userCartId) return { userCartId, notices: [] };
    const locked = await lockCarts(tx, [guestCartId, userCartId]);
    const guest = locked.find((c) => c.id === guestCartId);
    const user = locked.find((c) => c.id === userCartId)!;
    const mergeable = guest && guest.status === "active" && guest.userId === null && guest.updatedAt.getTime() > cutoff;
    if (!mergeable) return { userCartId, notices: [] };

    const [guestLines, userLines] = await Promise.all([readLines(tx, guest.id), readLines(tx, user.id)]);
    const merge = mergeLines(userLines, guestLines, cartLimits());
    // The signed-in cart's note wins when both have one.
    const note = mergeNotes(user.note, guest.note);
    const noteChanged = note !== user.note;
    if (merge.changed || noteChanged) {
      await writeLines(tx, user.id, userLines, merge.lines);
      const after = toSnapshot(await bumpVersion(tx, user.id, noteChanged ? { note } : {}), merge.lines);
      written.push(after);
      // The merge's event, in its transaction (lib/events/outbox.ts).
      await priced.record(tx, "cart.merged", after, { mergedFrom: guest.id });
    }
    written.push(toSnapshot(await bumpVersion(tx, guest.id, { status: "merged", mergedInto: user.id }), guestLines));
    merged = { lines: guestLines.length, changed: merge.changed };
    return { userCartId, notices: mergeNotices(merge, guestLines.length, cartLimits().maxQuantity) };
  }));
  await Promise.all(written.map(cacheCart));
  for (const snapshot of written) notifyChanged(snapshot);
  const done = merged as { lines: number; changed: boolean } | null;
  recordMerge(done !== null && done.lines > 0 ? "merged" : "nothing");
  if (done !== null) recordCartOperation("merge", done.changed ? "changed" : "unchanged");
  return outcome;
}

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function mergeNotices(merge: MergeResult, guestLineCount: number, maxQuantity: number): CartNotice[] {
  if (guestLineCount === 0) return [];
  const parts = [`${plural(merge.addedUnits, "item")} from your earlier visit ${merge.addedUnits === 1 ? "was" : "were"} added`];
  if (merge.capped.length > 0) parts.push(`${merge.capped.length} ${merge.capped.length === 1 ? "was" : "were"} capped at ${maxQuantity}`);
  if (merge.dropped.length > 0) parts.push(`${plural(merge.dropped.length, "product")} did not fit`);
  const notices: CartNotice[] = [
    {
      type: "merged",
      message: parts.join("; "),
      details: { addedUnits: merge.addedUnits, lines: guestLineCount, capped: merge.capped, dropped: merge.dropped },
    },
  ];
  for (const c of merge.capped) {
    notices.push({ type: "quantity_capped", productId: c.productId, from: c.from, to: c.to, message: `Quantity capped at ${c.to}.` });
  }
  return notices;
}
