import { eq, sql } from "drizzle-orm";
import { recoveryLinks, recoveryRedemptions } from "../../db/schema";
import { env } from "../config/env";
import { AppError } from "../errors";
import { recordRecoveryRedemption } from "../observe/metrics";
import { currentRuntime } from "../runtime/context";
import { db } from "../storage/database";
import { isoTime } from "../time";
import { productsById } from "./catalog";
import { cartLimits, currency, mutate, type CartResult } from "./changes";
import { canonicalProperties, mergeLines, mergeNotes } from "./domain";
import type { CartLine, CartRef } from "./types";

export type RestoreOutcome = "restored" | "already" | "nothing";

// Whether a stored link is past its time, on the instance's clock: the one rule the preview
// (lib/session/recovery-link.ts) and the restore under its lock both apply.
export const linkExpired = (expiresAt: Date): boolean => expiresAt.getTime() <= currentRuntime().now();

interface Restored {
  lines: CartLine[];
  note: string | null;
}

// Restores a copy of a recovery link's snapshot into the cart with the merge rule, at today's
// prices, skipping products no longer sold. The link's row is locked after the cart's (the
// order every restore takes), and its redemptions are counted and this cart's recorded in the
// same transaction: once per (link, cart), and into at most RECOVERY_LINK_MAX_REDEMPTIONS carts
// however many confirmations race. The link's products are priced before the lock.
export async function restoreSnapshot(ref: CartRef, linkId: string): Promise<CartResult & { outcome: RestoreOutcome }> {
  let outcome: RestoreOutcome = "nothing";
  const result = await mutate(
    "restore",
    ref,
    {
      prepare: async () => {
        const [link] = await (await db()).select({ lines: recoveryLinks.lines }).from(recoveryLinks).where(eq(recoveryLinks.id, linkId));
        return productsById(link?.lines.map((l) => l.productId) ?? [], { fresh: true });
      },
      priced: (sold) => [...sold.values()],
      load: async (tx, cartId, sold): Promise<Restored> => {
        const [link] = await tx
          .select({ lines: recoveryLinks.lines, note: recoveryLinks.note, sourceCartId: recoveryLinks.sourceCartId, expiresAt: recoveryLinks.expiresAt })
          .from(recoveryLinks)
          .where(eq(recoveryLinks.id, linkId))
          .for("update");
        if (!link) throw new AppError("RECOVERY_LINK_INVALID", "This cart link is not valid.");
        if (linkExpired(link.expiresAt)) throw new AppError("RECOVERY_LINK_EXPIRED", "This cart link has expired.");
        // The shopper's own cart made this link: its lines are here already, never doubled.
        if (cartId === link.sourceCartId) {
          outcome = "already";
          return { lines: [], note: null };
        }
        const [redeemed] = await tx
          .select({ carts: sql<number>`count(*)::int`, here: sql<boolean>`coalesce(bool_or(${recoveryRedemptions.cartId} = ${cartId}), false)` })
          .from(recoveryRedemptions)
          .where(eq(recoveryRedemptions.tokenId, linkId));
        if (redeemed?.here) {
          outcome = "already";
          return { lines: [], note: null };
        }
        if (Number(redeemed?.carts ?? 0) >= env().RECOVERY_LINK_MAX_REDEMPTIONS) {
          throw new AppError("RECOVERY_LINK_USED_UP", "This cart link has been used too many times.");
        }
        await tx.insert(recoveryRedemptions).values({ tokenId: linkId, cartId });
        const now = isoTime(currentRuntime().now());
        const lines = link.lines.flatMap((l) => {
          const product = sold.get(l.productId);
          return product?.active && product.currency === currency()
            ? [{ productId: l.productId, properties: canonicalProperties(l.properties), quantity: l.quantity, addedUnitPrice: product.price, addedAt: now }]
            : [];
        });
        outcome = lines.length > 0 ? "restored" : "nothing";
        return { lines, note: link.note };
      },
      // The merge rule; the link's note fills the cart's only when the cart has none.
      apply: (lines, restored, _sold, note) => {
        const merged = mergeLines(lines, restored.lines, cartLimits());
        const nextNote = mergeNotes(note, restored.note);
        return nextNote === note ? merged : { ...merged, changed: true, note: nextNote };
      },
    },
    {},
  ).catch((err: unknown) => {
    recordRecoveryRedemption(err instanceof AppError ? err.code : "error");
    throw err;
  });
  recordRecoveryRedemption(outcome);
  return { ...result, outcome };
}
