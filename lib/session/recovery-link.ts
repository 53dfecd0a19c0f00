import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import { recoveryLinks } from "../../db/schema";
import { productsById } from "../cart/catalog";
import { env } from "../config/env";
import { AppError } from "../errors";
import { sealingPassword, sessionPasswords } from "./secret";
import type { Session } from "./session";
import { db } from "../storage/database";
import { getCart } from "./cart";

// Recovery links: making one stores a snapshot of the lines the cart holds
// now (recovery_links); the sealed, expiring token names that row, never a
// cart, so later changes to the cart never reach the link. Opening the link
// only reads the snapshot (previewRecoveryLink); restoring it is a separate,
// origin-checked POST (restoreSnapshot in the service).
const tokenSchema = z.strictObject({
  kind: z.literal("recovery-link"),
  lid: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  exp: z.number().int(),
});

const MAX_TOKEN_LENGTH = 2048;

export async function createRecoveryLink(session: Session, origin: string) {
  const { cart, session: current } = await getCart(session);
  if (cart.id === null || cart.items.length === 0) throw new AppError("CART_EMPTY", "There is nothing in the cart to recover.");
  const id = randomBytes(16).toString("base64url");
  const expiresAt = new Date(Date.now() + env().RECOVERY_LINK_HOURS * 3_600_000);
  await (await db()).insert(recoveryLinks).values({
    id,
    lines: cart.items.map((item) =>
      Object.keys(item.properties).length > 0
        ? { productId: item.productId, quantity: item.quantity, properties: item.properties }
        : { productId: item.productId, quantity: item.quantity },
    ),
    note: cart.note,
    sourceCartId: cart.id,
    expiresAt,
  });
  const token = await sealData({ kind: "recovery-link", lid: id, exp: expiresAt.getTime() }, { password: sealingPassword(), ttl: 0 });
  const url = `${origin}/cart/recover?token=${encodeURIComponent(token)}`;
  return { session: current, link: { url, expiresAt: expiresAt.toISOString() } };
}

export type RecoveryFailure = "invalid" | "expired";
export type RecoveryCheck = { ok: true; linkId: string } | { ok: false; reason: RecoveryFailure };

// Unseals a link's token: tampered, truncated, foreign or expired tokens name no link.
export async function readRecoveryToken(token: string | null): Promise<RecoveryCheck> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "invalid" };
  let raw: unknown;
  try {
    raw = await unsealData(token, { password: sessionPasswords().map, ttl: 0 });
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const parsed = tokenSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  if (parsed.data.exp < Date.now()) return { ok: false, reason: "expired" };
  return { ok: true, linkId: parsed.data.lid };
}

export interface RecoveryPreviewLine {
  productId: string;
  properties: Record<string, string>;
  name: string;
  quantity: number;
  unitPrice: number;
  // False when the product is no longer sold: restoring skips it.
  available: boolean;
}

export interface RecoveryPreview {
  currency: string;
  expiresAt: string;
  lines: RecoveryPreviewLine[];
  // Units that restoring would add (available lines only).
  itemCount: number;
}

// What a link would add, read only: no cart, session or redemption is touched.
export async function previewRecoveryLink(linkId: string): Promise<{ ok: true; preview: RecoveryPreview } | { ok: false; reason: RecoveryFailure }> {
  const [link] = await (await db())
    .select({ lines: recoveryLinks.lines, expiresAt: recoveryLinks.expiresAt })
    .from(recoveryLinks)
    .where(eq(recoveryLinks.id, linkId))
    .limit(1);
  if (!link) return { ok: false, reason: "invalid" };
  if (link.expiresAt.getTime() <= Date.now()) return { ok: false, reason: "expired" };
  const catalog = await productsById(link.lines.map((l) => l.productId));
  const lines = link.lines.map((l) => {
    const product = catalog.get(l.productId);
    return {
      productId: l.productId,
      properties: l.properties ?? {},
      name: product?.name ?? "A product we no longer sell",
      quantity: l.quantity,
      unitPrice: product?.price ?? 0,
      available: product?.active ?? false,
    };
  });
  const currency = env().CART_CURRENCY;
  const itemCount = lines.filter((l) => l.available).reduce((n, l) => n + l.quantity, 0);
  return { ok: true, preview: { currency, expiresAt: link.expiresAt.toISOString(), lines, itemCount } };
}

