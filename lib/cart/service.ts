import { createHash } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { products, recoveryLinks, recoveryRedemptions } from "../../db/schema";
import { catalogFor, readProduct } from "../catalog/catalog";
import { env } from "../config/env";
import { AppError } from "../errors";
import { recordCartOperation, recordRecoveryRedemption, type CartOperationKind } from "../observe/metrics";
import type { Session } from "../session/session";
import { sessionRotated, takeNotices, touched, withCart } from "../session/session";
import { db } from "../storage/database";
import { cacheCart, getCachedCart } from "./cache";
import { serializeByCart } from "./cart-queue";
import { recordOutcomeInTransaction, type IdempotencyContext } from "./idempotency";
import type { LineChange } from "./domain";
import { addLine, clearLines, mergeLines, removeLine, setLineQuantity } from "./domain";
import type { Tx } from "./repository";
import type { CartRow } from "./repository";
import {
  activeCartIdForUser,
  compareAndSetLine,
  ensureCart,
  ensureUserCart,
  lockAndBump,
  mergedSince,
  readLines,
  readSnapshot,
  toSnapshot,
  writeLines,
} from "./repository";
import type { CartLimits, CartLine, CartSnapshot, CartView } from "./types";
import { buildCartView, emptyCartView } from "./view";

/**
 * The one cart service behind both the HTTP API and the server actions:
 * lock the cart and bump its version, apply a pure rule, write the
 * difference, all in one transaction; then refresh the cache after the commit.
 */
export interface CartResult {
  cart: CartView;
  session: Session;
}

export interface MutationOptions {
  /** If-Match: the version the client last saw. */
  expectedVersion?: number;
  /** Idempotency-Key: the outcome is recorded in the change's transaction. */
  idempotency?: IdempotencyContext;
}

const DEFAULT_CURRENCY = "USD";

export function cartLimits(): CartLimits {
  const config = env();
  return { maxLines: config.CART_MAX_LINES, maxQuantity: config.CART_MAX_QUANTITY };
}

/** Whether this session may reach this stored cart (a never-written cart is reachable). */
function reachable(snapshot: CartSnapshot, session: Session): boolean {
  if (snapshot.version === 0) return true;
  if (snapshot.status !== "active" || snapshot.userId !== session.userId) return false;
  if (snapshot.userId !== null) return true;
  return Date.parse(snapshot.updatedAt) > Date.now() - env().GUEST_CART_RECOVERY_DAYS * 86_400_000;
}

/** The cart a session has not written yet: cached too, so a new visitor costs Postgres one read. */
function neverWritten(cartId: string, userId: string | null): CartSnapshot {
  return { id: cartId, userId, status: "active", version: 0, currency: DEFAULT_CURRENCY, updatedAt: "", lines: [] };
}

async function toView(snapshot: CartSnapshot | null, tx?: Tx): Promise<CartView> {
  if (!snapshot || snapshot.version === 0) return emptyCartView(DEFAULT_CURRENCY);
  return buildCartView(snapshot, await catalogFor(snapshot.lines.map((l) => l.productId), tx));
}

/** The stored cart (or its never-written placeholder), from the cache when it has it. */
async function loadSnapshot(session: Session): Promise<CartSnapshot> {
  const cached = await getCachedCart(session.cartId);
  if (cached) return cached;
  const stored = await readSnapshot(await db(), session.cartId);
  const snapshot = stored ?? neverWritten(session.cartId, session.userId);
  await cacheCart(snapshot);
  return snapshot;
}

/**
 * Where a session goes when its cart is no longer reachable (merged at
 * sign-in, past recovery). Derived, not random, so concurrent requests of
 * the same old cookie all land in one new cart and none of their adds is
 * stranded; it never leads back to the cart it replaces.
 */
export function successorCartId(cartId: string): string {
  const h = createHash("sha256").update(`successor:${cartId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A signed-in session follows the user's active cart, wherever it was created. */
async function userCartId(userId: string): Promise<string | null> {
  return activeCartIdForUser(await db(), userId);
}

const rotationCutoff = () => new Date(Date.now() - env().SESSION_ROTATION_GRACE_SECONDS * 1000);

/**
 * A guest request racing its own sign-in: the cart it reached was just merged.
 * It is refused (retried with the new cookie) rather than sent to a successor
 * cart, whose cookie would replace the signed-in one.
 */
function assertNotJustMerged(snapshot: CartSnapshot, session: Session): void {
  if (session.userId === null && snapshot.status === "merged" && Date.parse(snapshot.updatedAt) > rotationCutoff().getTime()) {
    throw sessionRotated();
  }
}

export async function getCart(session: Session): Promise<CartResult> {
  // A cart id this request allocated has nothing stored: a new visitor costs no query.
  if (session.newCart) return { cart: emptyCartView(DEFAULT_CURRENCY), session };
  let current = session;
  let snapshot = await loadSnapshot(current);
  if (!reachable(snapshot, current)) {
    assertNotJustMerged(snapshot, current);
    const replacement = current.userId !== null ? await userCartId(current.userId) : null;
    current = withCart(current, replacement ?? successorCartId(current.cartId));
    snapshot = await loadSnapshot(current);
    if (!reachable(snapshot, current)) return { cart: emptyCartView(DEFAULT_CURRENCY), session: current };
  }
  const { notices, session: next } = takeNotices(current);
  const cart = await toView(snapshot);
  return { cart: notices.length > 0 ? { ...cart, notices: [...notices, ...cart.notices] } : cart, session: next };
}

/**
 * A change to a cart: `load` reads what the rule needs (run alongside the
 * read of the lines, under the lock), `apply` is the pure domain rule.
 */
interface Rule<T> {
  load?: (tx: Tx, cartId: string) => Promise<T>;
  apply: (lines: CartLine[], loaded: T) => LineChange;
  /**
   * Optional fast path for one-line changes: what the rule needs from
   * process caches, and the price an add must still have in Postgres.
   */
  fast?: { load: () => Promise<T>; requirePrice?: (loaded: T) => number | undefined };
}

class VersionConflict extends Error {
  constructor(readonly snapshot: CartSnapshot | null) {
    super("version conflict");
  }
}

class NoChange extends Error {
  constructor(readonly snapshot: CartSnapshot, readonly cartId: string) {
    super("no change");
  }
}

const guestCutoff = () => new Date(Date.now() - env().GUEST_CART_RECOVERY_DAYS * 86_400_000);

/** Locks the session's cart (bumping its version); creates it when missing, replaces it when unreachable. */
async function lockOrCreate(tx: Tx, session: Session): Promise<{ cart: CartRow; cartId: string }> {
  const cutoff = guestCutoff();
  const existing = await lockAndBump(tx, session.cartId, session.userId, cutoff);
  if (existing) return { cart: existing, cartId: session.cartId };
  if (session.userId !== null) {
    // One active cart per user: use it, or create it (another device may be doing the same).
    const cartId = await ensureUserCart(tx, session.userId, DEFAULT_CURRENCY);
    const cart = await lockAndBump(tx, cartId, session.userId, cutoff);
    if (cart) return { cart, cartId };
    throw new Error("could not lock the user's cart");
  }
  // Missing (first add) or unreachable (merged, expired): ensureCart leaves an existing row
  // alone, so when the lock still fails the session moves on to the successor cart.
  let cartId = session.cartId;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    await ensureCart(tx, cartId, null, DEFAULT_CURRENCY);
    const cart = await lockAndBump(tx, cartId, null, cutoff);
    if (cart) return { cart, cartId };
    if (attempt === 0 && (await mergedSince(tx, cartId, rotationCutoff()))) throw sessionRotated();
    cartId = successorCartId(cartId);
  }
  throw new Error("could not create a cart");
}

type Outcome = { snapshot: CartSnapshot; cartId: string; changed: boolean; view?: CartView };

/** The one product a change touches, or null when it touches several (or moves lines around). */
function singleLineChange(before: readonly CartLine[], after: readonly CartLine[]): { productId: string; line: CartLine | null } | null {
  const changed = [...new Set([...before, ...after].map((l) => l.productId))].filter((id) => {
    const a = before.find((l) => l.productId === id);
    const b = after.find((l) => l.productId === id);
    return a?.quantity !== b?.quantity;
  });
  if (changed.length !== 1) return null;
  const productId = changed[0]!;
  return { productId, line: after.find((l) => l.productId === productId) ?? null };
}

/**
 * The fast path: the rule runs on the cached snapshot and Postgres applies
 * its one-line change in a single compare-and-set statement, only if the
 * cart is still at the cached version (under the row lock) — so the result
 * is exactly what the locked path would produce. Anything unusual (no cache,
 * an error to confirm, a keyed request, a version that moved) returns null
 * and the locked path decides.
 */
async function tryCompareAndSet<T>(session: Session, rule: Rule<T>, options: MutationOptions): Promise<Outcome | null> {
  if (!rule.fast || options.idempotency || session.newCart) return null;
  const cached = await getCachedCart(session.cartId);
  if (!cached || cached.version === 0 || !reachable(cached, session)) return null;
  if (options.expectedVersion !== undefined && options.expectedVersion !== cached.version) return null;
  const loaded = await rule.fast.load();
  let change: LineChange;
  try {
    change = rule.apply(cached.lines, loaded);
  } catch {
    return null; // refusals are decided on committed data, by the locked path
  }
  const oneLine = change.changed ? singleLineChange(cached.lines, change.lines) : null;
  if (!oneLine) return null;
  const written = await compareAndSetLine(
    await db(),
    { id: cached.id, userId: session.userId, expectedVersion: cached.version },
    { ...oneLine, requireActivePrice: rule.fast?.requirePrice?.(loaded) },
  );
  if (!written) return null;
  return { snapshot: { ...cached, version: written.version, updatedAt: written.updatedAt, lines: change.lines }, cartId: cached.id, changed: true };
}

/** Inside the transaction: lock and bump, read, apply the rule, write (and remember a keyed outcome). */
async function applyRule<T>(tx: Tx, session: Session, rule: Rule<T>, options: MutationOptions): Promise<Outcome> {
  const { cart, cartId } = await lockOrCreate(tx, session);
  // Version 1 after the bump means no change was ever committed: no lines to read.
  // (Not "we inserted it": a concurrent first add may have inserted it and committed.)
  const fresh = cart.version === 1;
  const [lines, loaded] = await Promise.all([
    fresh ? Promise.resolve<CartLine[]>([]) : readLines(tx, cartId),
    rule.load ? rule.load(tx, cartId) : Promise.resolve(undefined as T),
  ]);
  const before = toSnapshot({ ...cart, version: cart.version - 1 }, lines);
  if (options.expectedVersion !== undefined && options.expectedVersion !== before.version) {
    throw new VersionConflict(fresh ? null : before);
  }
  const change = rule.apply(lines, loaded);
  if (!change.changed) throw new NoChange(before, cartId);
  const snapshot = toSnapshot(cart, change.lines);
  const view = await toView(snapshot, tx);
  await Promise.all([
    writeLines(tx, cartId, lines, change.lines),
    // Remembered in the same commit as the change: a retry can never apply it twice.
    options.idempotency ? recordOutcomeInTransaction(tx, options.idempotency, 200, view) : undefined,
  ]);
  return { snapshot, cartId, changed: true, view };
}

/**
 * Runs one rule against the session's cart in one transaction (queued
 * behind other changes to the same cart from this instance). A no-op rolls
 * back, so it neither bumps the version nor creates a cart.
 */
async function mutate<T>(kind: CartOperationKind, session: Session, rule: Rule<T>, options: MutationOptions): Promise<CartResult> {
  try {
    const { changed, ...result } = await mutateOnce(session, rule, options);
    recordCartOperation(kind, changed ? "changed" : "unchanged");
    return result;
  } catch (err) {
    // Refusals by their contract code; anything else is ours ("error").
    recordCartOperation(kind, err instanceof AppError ? err.code : "error");
    throw err;
  }
}

async function mutateOnce<T>(session: Session, rule: Rule<T>, options: MutationOptions): Promise<CartResult & { changed: boolean }> {
  const database = await db();
  let outcome: Outcome;
  try {
    outcome = await serializeByCart(session.cartId, async () => {
      const done =
        (await tryCompareAndSet(session, rule, options)) ??
        (await database.transaction((tx) => applyRule(tx, session, rule, options)));
      // Cached before the next queued change starts, so it can take the fast path too.
      await cacheCart(done.snapshot);
      return done;
    });
  } catch (err) {
    if (err instanceof NoChange) {
      outcome = { snapshot: err.snapshot, cartId: err.cartId, changed: false };
    } else if (err instanceof VersionConflict) {
      throw new AppError("VERSION_CONFLICT", "The cart changed since you last saw it.", { cart: await toView(err.snapshot) });
    } else {
      throw err;
    }
  }
  const next = withCart(session, outcome.cartId);
  return { cart: outcome.view ?? (await toView(outcome.snapshot)), session: outcome.changed ? touched(next) : next, changed: outcome.changed };
}

export async function addItem(session: Session, input: { productId: string; quantity: number }, options: MutationOptions = {}) {
  return mutate(
    "add",
    session,
    {
      load: (tx) => readProduct(tx, input.productId),
      fast: {
        load: async () => (await catalogFor([input.productId])).get(input.productId) ?? null,
        requirePrice: (product) => product?.price,
      },
      apply: (lines, product) => {
        if (!product) throw new AppError("PRODUCT_NOT_FOUND", "There is no such product.", { productId: input.productId });
        if (!product.active) {
          throw new AppError("PRODUCT_UNAVAILABLE", `${product.name} is no longer available.`, { productId: input.productId });
        }
        return addLine(lines, { ...input, unitPrice: product.price, now: new Date().toISOString() }, cartLimits());
      },
    },
    options,
  );
}

export async function setItemQuantity(session: Session, productId: string, quantity: number, options: MutationOptions = {}) {
  return mutate("set", session, { apply: (lines) => setLineQuantity(lines, productId, quantity, cartLimits()), fast: { load: async () => undefined } }, options);
}

export async function removeItem(session: Session, productId: string, options: MutationOptions = {}) {
  return mutate("remove", session, { apply: (lines) => removeLine(lines, productId), fast: { load: async () => undefined } }, options);
}

export async function clearCart(session: Session, options: MutationOptions = {}) {
  return mutate("clear", session, { apply: (lines) => clearLines(lines) }, options);
}

export type RestoreOutcome = "restored" | "already" | "nothing";

/**
 * Restores a copy of a recovery link's snapshot into the session's cart with
 * the merge rule, at today's prices, skipping products no longer sold. The
 * link's row is locked after the cart's (the order every restore takes), and
 * its redemptions are counted and this cart's recorded in the same
 * transaction: once per (link, cart), and into at most
 * RECOVERY_LINK_MAX_REDEMPTIONS carts however many confirmations race.
 */
export async function restoreSnapshot(session: Session, linkId: string): Promise<CartResult & { outcome: RestoreOutcome }> {
  let outcome: RestoreOutcome = "nothing";
  const result = await mutate(
    "restore",
    session,
    {
      load: async (tx, cartId): Promise<CartLine[]> => {
        const [link] = await tx
          .select({ lines: recoveryLinks.lines, sourceCartId: recoveryLinks.sourceCartId, expiresAt: recoveryLinks.expiresAt })
          .from(recoveryLinks)
          .where(eq(recoveryLinks.id, linkId))
          .for("update");
        if (!link) throw new AppError("RECOVERY_LINK_INVALID", "This cart link is not valid.");
        if (link.expiresAt.getTime() <= Date.now()) throw new AppError("RECOVERY_LINK_EXPIRED", "This cart link has expired.");
        // The shopper's own cart made this link: its lines are here already, never doubled.
        if (cartId === link.sourceCartId) {
          outcome = "already";
          return [];
        }
        const [redeemed] = await tx
          .select({ carts: sql<number>`count(*)::int`, here: sql<boolean>`coalesce(bool_or(${recoveryRedemptions.cartId} = ${cartId}), false)` })
          .from(recoveryRedemptions)
          .where(eq(recoveryRedemptions.tokenId, linkId));
        if (redeemed?.here) {
          outcome = "already";
          return [];
        }
        if (Number(redeemed?.carts ?? 0) >= env().RECOVERY_LINK_MAX_REDEMPTIONS) {
          throw new AppError("RECOVERY_LINK_USED_UP", "This cart link has been used too many times.");
        }
        const ids = link.lines.map((l) => l.productId);
        const [sold] = await Promise.all([
          ids.length > 0 ? tx.select().from(products).where(inArray(products.id, ids)) : Promise.resolve([]),
          tx.insert(recoveryRedemptions).values({ tokenId: linkId, cartId }),
        ]);
        const byId = new Map(sold.map((p) => [p.id, p]));
        const now = new Date().toISOString();
        const lines = link.lines.flatMap((l) => {
          const product = byId.get(l.productId);
          return product?.active ? [{ productId: l.productId, quantity: l.quantity, addedUnitPrice: product.price, addedAt: now }] : [];
        });
        outcome = lines.length > 0 ? "restored" : "nothing";
        return lines;
      },
      apply: (lines, incoming) => mergeLines(lines, incoming, cartLimits()),
    },
    {},
  ).catch((err: unknown) => {
    recordRecoveryRedemption(err instanceof AppError ? err.code : "error");
    throw err;
  });
  recordRecoveryRedemption(outcome);
  return { ...result, outcome };
}
