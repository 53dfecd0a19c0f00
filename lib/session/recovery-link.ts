import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, notInArray } from "drizzle-orm";
import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import { recoveryLinks } from "../../db/schema";
import { productsById } from "../cart/catalog";
import { linkExpired } from "../cart/restore";
import { env } from "../config/env";
import { AppError } from "../errors";
import { sealingPassword, sessionPasswords } from "./secret";
import type { Session } from "./session";
import type { LineProperties } from "../cart/types";
import { db, type Database } from "../storage/database";
import { getCart } from "./cart";
import { currentRuntime } from "../runtime/context";

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

// `spend` is asked before a new row is made (the anonymous-work budget); the same lines as the
// cart's newest live link reuse that link. Past RECOVERY_LINKS_PER_CART live links, the oldest end.
export async function createRecoveryLink(session: Session, origin: string, spend: () => Promise<void> = async () => {}) {
  const { cart, session: current } = await getCart(session);
  if (cart.id === null || cart.items.length === 0) throw new AppError("CART_EMPTY", "There is nothing in the cart to recover.");
  const database = await db();
  const link = await database.transaction((tx) => storeRecoveryLink(tx, cart.id!, { lines: cart.items, note: cart.note }, origin, spend));
  return { session: current, link };
}

// Stores a snapshot of the cart's lines (with their properties) and note as a link of `sourceCartId` in the caller's transaction and seals
// its token: the link's URL on `origin` and when it expires. The same lines as the cart's newest
// live link, with at least half its lifetime left, reuse that link; `spend` is asked before a
// new row is made (the anonymous-work budget); past RECOVERY_LINKS_PER_CART links, the oldest
// end. Also what an abandoned cart's event carries (lib/jobs/abandoned.ts).
export async function storeRecoveryLink(
  tx: Pick<Database, "select" | "insert" | "delete">,
  sourceCartId: string,
  contents: { lines: readonly { productId: string; quantity: number; properties?: LineProperties }[]; note?: string | null },
  origin: string,
  spend: () => Promise<void> = async () => {},
): Promise<{ url: string; expiresAt: string }> {
  const lines = contents.lines.map((l) =>
    l.properties && Object.keys(l.properties).length > 0
      ? { productId: l.productId, quantity: l.quantity, properties: l.properties }
      : { productId: l.productId, quantity: l.quantity },
  );
  const note = contents.note ?? null;
  const now = currentRuntime().now();
  const lifetimeMs = env().RECOVERY_LINK_HOURS * 3_600_000;
  const [newest] = await tx
    .select({ id: recoveryLinks.id, lines: recoveryLinks.lines, note: recoveryLinks.note, expiresAt: recoveryLinks.expiresAt })
    .from(recoveryLinks)
    .where(and(eq(recoveryLinks.sourceCartId, sourceCartId), gt(recoveryLinks.expiresAt, new Date(now + lifetimeMs / 2))))
    .orderBy(desc(recoveryLinks.createdAt), desc(recoveryLinks.id))
    .limit(1);
  // Field by field: jsonb gives its objects' keys back in its own order, not the order written.
  const sameProperties = (a: LineProperties | undefined, b: LineProperties | undefined) => {
    const entries = Object.entries(a ?? {});
    return entries.length === Object.keys(b ?? {}).length && entries.every(([key, value]) => b?.[key] === value);
  };
  const same = (a: typeof lines, b: typeof lines) =>
    a.length === b.length &&
    a.every((line, i) => line.productId === b[i]!.productId && line.quantity === b[i]!.quantity && sameProperties(line.properties, b[i]!.properties));
  let id: string;
  let expiresAt: Date;
  if (newest && newest.note === note && same(newest.lines, lines)) {
    // The cart has not changed since its newest link: that link again, not another row.
    ({ id, expiresAt } = newest);
  } else {
    await spend();
    id = randomBytes(16).toString("base64url");
    expiresAt = new Date(now + lifetimeMs);
    await tx.insert(recoveryLinks).values({ id, lines, note, sourceCartId, expiresAt });
    // The newest RECOVERY_LINKS_PER_CART stay; older links of this cart end now (they stop opening).
    const keep = tx
      .select({ id: recoveryLinks.id })
      .from(recoveryLinks)
      .where(eq(recoveryLinks.sourceCartId, sourceCartId))
      .orderBy(desc(recoveryLinks.createdAt), desc(recoveryLinks.id))
      .limit(env().RECOVERY_LINKS_PER_CART);
    await tx.delete(recoveryLinks).where(and(eq(recoveryLinks.sourceCartId, sourceCartId), notInArray(recoveryLinks.id, keep)));
  }
  const token = await sealData({ kind: "recovery-link", lid: id, exp: expiresAt.getTime() }, { password: sealingPassword(), ttl: 0 });
  return { url: `${origin}/cart/recover?token=${encodeURIComponent(token)}`, expiresAt: expiresAt.toISOString() };
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
  if (parsed.data.exp < currentRuntime().now()) return { ok: false, reason: "expired" };
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
  if (linkExpired(link.expiresAt)) return { ok: false, reason: "expired" };
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

