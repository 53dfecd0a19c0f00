import { randomUUID } from "node:crypto";
import { catalogFor, readProduct } from "@/lib/catalog/catalog";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import type { Session } from "@/lib/session/session";
import { withCart } from "@/lib/session/session";
import { db } from "@/lib/storage/database";
import { isDatabaseUnavailable } from "@/lib/storage/database-errors";
import { cacheCart, getCachedCart } from "./cache";
import type { LineChange } from "./domain";
import { addLine, clearLines, removeLine, setLineQuantity } from "./domain";
import type { Tx } from "./repository";
import { bumpVersion, ensureCart, lockCart, readLines, readSnapshot, toSnapshot, writeLines } from "./repository";
import type { CartLimits, CartLine, CartSnapshot, CartView } from "./types";
import { buildCartView, emptyCartView } from "./view";

/**
 * The one cart service behind both the HTTP API and the server actions:
 * lock the cart, apply a pure rule, write the difference and bump the
 * version in one transaction, then refresh the cache after the commit.
 */
export interface CartResult {
  cart: CartView;
  session: Session;
}

export interface MutationOptions {
  /** If-Match: the version the client last saw. */
  expectedVersion?: number;
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

async function toView(snapshot: CartSnapshot | null): Promise<CartView> {
  if (!snapshot || snapshot.version === 0) return emptyCartView(DEFAULT_CURRENCY);
  return buildCartView(snapshot, await catalogFor(snapshot.lines.map((l) => l.productId)));
}

async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      throw new AppError("SERVICE_UNAVAILABLE", "The cart is briefly unavailable. Please try again in a moment.");
    }
    throw err;
  }
}

/** The stored cart (or its never-written placeholder), from the cache when it has it. */
async function loadSnapshot(session: Session): Promise<CartSnapshot> {
  const cached = await getCachedCart(session.cartId);
  if (cached) return cached;
  const stored = await withDatabase(async () => readSnapshot(await db(), session.cartId));
  const snapshot = stored ?? neverWritten(session.cartId, session.userId);
  await cacheCart(snapshot);
  return snapshot;
}

export async function getCart(session: Session): Promise<CartResult> {
  const snapshot = await loadSnapshot(session);
  if (!reachable(snapshot, session)) {
    // Merged, closed or past recovery: this session starts a new cart.
    return { cart: emptyCartView(DEFAULT_CURRENCY), session: withCart(session, randomUUID()) };
  }
  return { cart: await toView(snapshot), session };
}

type Rule = (lines: CartLine[], tx: Tx) => Promise<LineChange> | LineChange;

class VersionConflict extends Error {
  constructor(readonly snapshot: CartSnapshot | null) {
    super("version conflict");
  }
}

/** The session's cart, locked; created when missing, replaced when no longer reachable. */
async function lockOrCreate(tx: Tx, session: Session): Promise<{ cart: Awaited<ReturnType<typeof lockCart>>; cartId: string }> {
  let cartId = session.cartId;
  let cart = await lockCart(tx, cartId, session.userId);
  const expired =
    cart !== null && cart.userId === null && cart.updatedAt.getTime() <= Date.now() - env().GUEST_CART_RECOVERY_DAYS * 86_400_000;
  if (cart === null || expired) {
    // An expired cart, or an id that exists for someone else, is never reused: allocate anew.
    if (expired || !(await ensureCart(tx, cartId, session.userId, DEFAULT_CURRENCY))) {
      cartId = randomUUID();
      await ensureCart(tx, cartId, session.userId, DEFAULT_CURRENCY);
    }
    cart = await lockCart(tx, cartId, session.userId);
  }
  return { cart, cartId };
}

/**
 * Runs one rule against the session's cart in one transaction. A cart row
 * that the rule leaves unchanged is rolled back with it, so reads and
 * no-op changes never create carts.
 */
async function mutate(session: Session, rule: Rule, options: MutationOptions): Promise<CartResult> {
  const database = await withDatabase(db);
  const NO_CHANGE = Symbol("no change");
  let outcome: { snapshot: CartSnapshot; cartId: string; changed: boolean };
  try {
    outcome = await withDatabase(async () => {
      let unchanged: { snapshot: CartSnapshot; cartId: string } | undefined;
      try {
        return await database.transaction(async (tx) => {
          const { cart, cartId } = await lockOrCreate(tx, session);
          if (!cart) throw new Error("cart could not be locked after creation");
          const lines = cart.version === 0 ? [] : await readLines(tx, cart.id);
          const current = toSnapshot(cart, lines);
          if (options.expectedVersion !== undefined && options.expectedVersion !== cart.version) {
            throw new VersionConflict(current);
          }
          const change = await rule(lines, tx);
          if (!change.changed) {
            unchanged = { snapshot: current, cartId };
            throw NO_CHANGE; // rolls back a cart row created only for this call
          }
          await writeLines(tx, cart.id, lines, change.lines);
          const bumped = await bumpVersion(tx, cart.id);
          return { snapshot: toSnapshot(bumped, change.lines), cartId, changed: true };
        });
      } catch (err) {
        if (err === NO_CHANGE && unchanged) return { ...unchanged, changed: false };
        throw err;
      }
    });
  } catch (err) {
    if (err instanceof VersionConflict) {
      throw new AppError("VERSION_CONFLICT", "The cart changed since you last saw it.", { cart: await toView(err.snapshot) });
    }
    throw err;
  }
  if (outcome.changed) await cacheCart(outcome.snapshot);
  return { cart: await toView(outcome.snapshot), session: withCart(session, outcome.cartId) };
}

export async function addItem(session: Session, input: { productId: string; quantity: number }, options: MutationOptions = {}) {
  return mutate(
    session,
    async (lines, tx) => {
      const product = await readProduct(tx, input.productId);
      if (!product) throw new AppError("PRODUCT_NOT_FOUND", "There is no such product.", { productId: input.productId });
      if (!product.active) {
        throw new AppError("PRODUCT_UNAVAILABLE", `${product.name} is no longer available.`, { productId: input.productId });
      }
      return addLine(lines, { ...input, unitPrice: product.price, now: new Date().toISOString() }, cartLimits());
    },
    options,
  );
}

export async function setItemQuantity(session: Session, productId: string, quantity: number, options: MutationOptions = {}) {
  return mutate(session, (lines) => setLineQuantity(lines, productId, quantity, cartLimits()), options);
}

export async function removeItem(session: Session, productId: string, options: MutationOptions = {}) {
  return mutate(session, (lines) => removeLine(lines, productId), options);
}

export async function clearCart(session: Session, options: MutationOptions = {}) {
  return mutate(session, (lines) => clearLines(lines), options);
}
