import { randomBytes } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { sealingPassword, sessionPasswords } from "@/lib/session/secret";
import type { Session } from "@/lib/session/session";
import { getCart } from "./service";

/**
 * Recovery links: a sealed, expiring token naming a cart. Opening it
 * restores a copy of that cart into the opener's cart (merge rule), on
 * another device or after the cookie is gone. The token is sealed with the
 * session secret, so it cannot be forged or pointed at another cart.
 */
const tokenSchema = z.object({ kind: z.literal("recovery"), jti: z.string().min(8), cid: z.uuid(), exp: z.number().int() });

export async function createRecoveryLink(session: Session, origin: string) {
  const { cart, session: current } = await getCart(session);
  if (cart.id === null || cart.items.length === 0) throw new AppError("CART_EMPTY", "There is nothing in the cart to recover.");
  const exp = Date.now() + env().RECOVERY_LINK_HOURS * 3_600_000;
  const token = await sealData(
    { kind: "recovery", jti: randomBytes(12).toString("base64url"), cid: cart.id, exp },
    { password: sealingPassword(), ttl: 0 },
  );
  const url = `${origin}/cart/recover?token=${encodeURIComponent(token)}`;
  return { session: current, link: { url, expiresAt: new Date(exp).toISOString() } };
}

export type RecoveryCheck = { ok: true; cartId: string; tokenId: string } | { ok: false; reason: "invalid" | "expired" };

export async function readRecoveryToken(token: string | null): Promise<RecoveryCheck> {
  if (!token || token.length > 2048) return { ok: false, reason: "invalid" };
  let raw: unknown;
  try {
    raw = await unsealData(token, { password: sessionPasswords().map, ttl: 0 });
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const parsed = tokenSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  if (parsed.data.exp < Date.now()) return { ok: false, reason: "expired" };
  return { ok: true, cartId: parsed.data.cid, tokenId: parsed.data.jti };
}

