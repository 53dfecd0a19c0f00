import { createHash } from "node:crypto";
import type { SQL } from "drizzle-orm";
import { env } from "../config/env";
import { AppError, sessionRotated } from "../errors";
import { recordCartOperation, type CartOperationKind } from "../observe/metrics";
import { db } from "../storage/database";
import { currentRuntime } from "../runtime/context";
import { cartEventData, pricedEvent, recordEvent } from "../events/outbox";
import { productsById } from "./catalog";
import { cacheCart, getCachedCart } from "./cache";
import { guestCartCutoff } from "./guest-window";
import { serializeByCart } from "./cart-queue";
import { recordOutcomeInTransaction, type IdempotencyContext } from "./idempotency";
import { lineIdOf, lineKeyOf, type LineChange } from "./domain";
import type { Tx } from "./repository";
import type { CartRow } from "./repository";
import {
  activeCartIdForUser,
  compareAndSetLine,
  createWithLine,
  ensureCart,
  ensureUserCart,
  lockAndBump,
  mergedSince,
  readLines,
  readSnapshot,
  storedVersion,
  toSnapshot,
  writeLines,
  writeNote,
} from "./repository";
import type { CartLimits, CartLine, CartRef, CartSnapshot, CartView, Product } from "./types";
import { buildCartView, emptyCartView } from "./view";

// The machinery every change to a cart goes through: lock the cart and bump its version, apply
// a pure rule, write the difference, all in one transaction (or one compare-and-set statement
// on the fast paths); then refresh the cache and say "cart changed" after the commit. It knows
// carts, not sessions: the caller passes which cart it reaches (CartRef) and learns which cart
// it reached in the end (`cartId`: a merged or expired cart is replaced) and whether anything
// changed. The rules themselves are lib/cart/service.ts's and lib/cart/restore.ts's.

export interface CartResult {
  cart: CartView;
  cartId: string;
  changed: boolean;
}

export interface MutationOptions {
  // If-Match: the version the client last saw.
  expectedVersion?: number;
  // Idempotency-Key: the outcome is recorded in the change's transaction.
  idempotency?: IdempotencyContext;
}

export const currency = () => env().CART_CURRENCY;

export function cartLimits(): CartLimits {
  const config = env();
  return { maxLines: config.CART_MAX_LINES, maxQuantity: config.CART_MAX_QUANTITY };
}

// Whether this session may reach this stored cart (a never-written cart is reachable).
function reachable(snapshot: CartSnapshot, session: CartRef): boolean {
  if (snapshot.version === 0) return true;
  if (snapshot.status !== "active" || snapshot.userId !== session.userId) return false;
  if (snapshot.userId !== null) return true;
  return Date.parse(snapshot.updatedAt) > guestCartCutoff().getTime();
}

// The cart a session has not written yet: cached too, so a new visitor costs Postgres one read.
function neverWritten(cartId: string, userId: string | null): CartSnapshot {
  return { id: cartId, userId, status: "active", version: 0, currency: currency(), updatedAt: "", note: null, lines: [] };
}

async function toView(snapshot: CartSnapshot | null): Promise<CartView> {
  if (!snapshot || snapshot.version === 0) return emptyCartView(currency());
  return buildCartView(snapshot, await productsById(snapshot.lines.map((l) => l.productId)));
}

// The stored cart (or its never-written placeholder), from the cache when it has it.
async function loadSnapshot(session: CartRef): Promise<CartSnapshot> {
  const cached = await getCachedCart(session.cartId);
  if (cached) return cached;
  const stored = await readSnapshot(await db(), session.cartId);
  const snapshot = stored ?? neverWritten(session.cartId, session.userId);
  await cacheCart(snapshot);
  return snapshot;
}

// Where a session goes when its cart is no longer reachable (merged at
// sign-in, past recovery). Derived, not random, so concurrent requests of
// the same old cookie all land in one new cart and none of their adds is
// stranded; it never leads back to the cart it replaces.
export function successorCartId(cartId: string): string {
  const h = createHash("sha256").update(`successor:${cartId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// A signed-in session follows the user's active cart, wherever it was created.
async function userCartId(userId: string): Promise<string | null> {
  return activeCartIdForUser(await db(), userId);
}

const rotationCutoff = () => new Date(currentRuntime().now() - env().SESSION_ROTATION_GRACE_SECONDS * 1000);

// A guest request racing its own sign-in: the cart it reached was just merged.
// It is refused (retried with the new cookie) rather than sent to a successor
// cart, whose cookie would replace the signed-in one.
function assertNotJustMerged(snapshot: CartSnapshot, session: CartRef): void {
  if (session.userId === null && snapshot.status === "merged" && Date.parse(snapshot.updatedAt) > rotationCutoff().getTime()) {
    throw sessionRotated();
  }
}

export async function getCart(ref: CartRef): Promise<CartResult> {
  // A cart id this request allocated has nothing stored: a new visitor costs no query.
  if (ref.newCart) return { cart: emptyCartView(currency()), cartId: ref.cartId, changed: false };
  let current = ref;
  let snapshot = await loadSnapshot(current);
  if (!reachable(snapshot, current)) {
    assertNotJustMerged(snapshot, current);
    const replacement = current.userId !== null ? await userCartId(current.userId) : null;
    current = { ...current, cartId: replacement ?? successorCartId(current.cartId) };
    snapshot = await loadSnapshot(current);
    // A guest whose successor was ordered too (a second checkout completed before this cookie
    // caught up) follows the chain a few steps.
    for (let hop = 0; hop < 3 && current.userId === null && snapshot.status === "ordered" && snapshot.userId === null; hop += 1) {
      current = { ...current, cartId: successorCartId(current.cartId) };
      snapshot = await loadSnapshot(current);
    }
    if (!reachable(snapshot, current)) return { cart: emptyCartView(currency()), cartId: current.cartId, changed: false };
  }
  return { cart: await toView(snapshot), cartId: current.cartId, changed: false };
}

// A change to a cart. `prepare` reads what the rule needs from outside the cart (the
// catalog) before any lock is taken, so a catalog on the same pool never waits for a second
// connection while a cart is locked; `load` reads the cart's own tables under the lock;
// `apply` is the pure domain rule. `fast`: the rule may take the one-statement path.
// `priced`: the products `prepare` already read, for the answer's view.
export interface Rule<P, T> {
  prepare?: () => Promise<P>;
  // For the fast path only: what `prepare` gives, from caches, with a SQL condition under which
  // it still holds (checked in the compare-and-set statement); null when there is no such check.
  prepareGuarded?: () => Promise<{ prepared: P; guard: SQL } | null>;
  priced?: (prepared: P) => readonly Product[];
  load?: (tx: Tx, cartId: string, prepared: P) => Promise<T>;
  // `note`: the cart's note before the change (a rule that sets it returns `note` in its change).
  apply: (lines: CartLine[], loaded: T, prepared: P, note: string | null) => LineChange;
  fast?: boolean;
}

class VersionConflict extends Error {
  constructor(readonly snapshot: CartSnapshot | null) {
    super("version conflict");
  }
}

// The view of a change needs products the transaction was not given: it rolls back, they are
// read (outside any lock) and it runs again. Nothing reads the catalog under a cart's lock: a
// catalog on our own pool (or PGlite's one connection) would wait for itself.
class NeedProducts extends Error {
  constructor(readonly productIds: string[]) {
    super("products needed for the view");
  }
}

class NoChange extends Error {
  constructor(readonly snapshot: CartSnapshot, readonly cartId: string) {
    super("no change");
  }
}


// Locks the session's cart (bumping its version); creates it when missing, replaces it when unreachable.
async function lockOrCreate(tx: Tx, session: CartRef): Promise<{ cart: CartRow; cartId: string }> {
  const cutoff = guestCartCutoff();
  const existing = await lockAndBump(tx, session.cartId, session.userId, cutoff);
  if (existing) return { cart: existing, cartId: session.cartId };
  if (session.userId !== null) {
    // One active cart per user: use it, or create it (another device may be doing the same).
    const cartId = await ensureUserCart(tx, session.userId, currency());
    const cart = await lockAndBump(tx, cartId, session.userId, cutoff);
    if (cart) return { cart, cartId };
    throw new Error("could not lock the user's cart");
  }
  // Missing (first add) or unreachable (merged, expired): ensureCart leaves an existing row
  // alone, so when the lock still fails the session moves on to the successor cart.
  let cartId = session.cartId;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    await ensureCart(tx, cartId, null, currency());
    const cart = await lockAndBump(tx, cartId, null, cutoff);
    if (cart) return { cart, cartId };
    if (attempt === 0 && (await mergedSince(tx, cartId, rotationCutoff()))) throw sessionRotated();
    cartId = successorCartId(cartId);
  }
  throw new Error("could not create a cart");
}

type Outcome = { snapshot: CartSnapshot; cartId: string; changed: boolean; view?: CartView };

// The one line a change touches, or null when it touches several (or moves lines around).
function singleLineChange(
  before: readonly CartLine[],
  after: readonly CartLine[],
): { productId: string; lineKey: string; line: CartLine | null } | null {
  const byId = (lines: readonly CartLine[]) => new Map(lines.map((l) => [lineIdOf(l), l]));
  const was = byId(before);
  const now = byId(after);
  const changed = [...new Set([...was.keys(), ...now.keys()])].filter((id) => was.get(id)?.quantity !== now.get(id)?.quantity);
  if (changed.length !== 1) return null;
  const lineId = changed[0]!;
  const line = now.get(lineId) ?? null;
  const any = line ?? was.get(lineId)!;
  return { productId: any.productId, lineKey: lineKeyOf(any.properties), line };
}

const fastPathMayTry = <P, T>(rule: Rule<P, T>, options: MutationOptions) => Boolean(rule.fast) && !rule.load && !options.idempotency;

// The rule on lines the fast paths guess from; a refusal is null: refusals are decided on
// committed data, by the locked path.
function applyOrNull<P, T>(rule: Rule<P, T>, lines: CartLine[], prepared: P, note: string | null): LineChange | null {
  try {
    return rule.apply(lines, undefined as T, prepared, note);
  } catch {
    return null;
  }
}

// The fast path: the rule runs on the cached snapshot and Postgres applies
// its one-line change in a single compare-and-set statement, only if the
// cart is still at the cached version (under the row lock) — so the result
// is exactly what the locked path would produce. Anything unusual (no cache,
// an error to confirm, a keyed request, a version that moved) returns null
// and the locked path decides.
async function tryCompareAndSet<P, T>(
  session: CartRef,
  rule: Rule<P, T>,
  prepared: P,
  cached: CartSnapshot | null,
  options: MutationOptions,
  guard: SQL | null,
): Promise<Outcome | null> {
  if (!fastPathMayTry(rule, options)) return null;
  if (!cached || cached.version === 0 || !reachable(cached, session)) return null;
  if (options.expectedVersion !== undefined && options.expectedVersion !== cached.version) return null;
  const change = applyOrNull(rule, cached.lines, prepared, cached.note ?? null);
  // A note is written by the locked path only.
  if (!change || change.note !== undefined) return null;
  if (!change.changed) {
    // A no-op on the cached cart is a no-op on the stored one when the stored version is the
    // cached one (the cache holds each version's committed lines): one read, no transaction.
    const stored = await storedVersion(await db(), cached.id, session.userId);
    return stored === cached.version ? { snapshot: cached, cartId: cached.id, changed: false } : null;
  }
  const oneLine = singleLineChange(cached.lines, change.lines);
  if (!oneLine) return null;
  // The change's event, recorded by the same statement (lib/events/outbox.ts).
  const event = await pricedEvent("cart.updated", { ...cached, version: cached.version + 1, lines: change.lines });
  const written = await compareAndSetLine(
    await db(),
    { id: cached.id, userId: session.userId, expectedVersion: cached.version },
    oneLine,
    guard,
    event?.insert,
  );
  if (!written) return null;
  const view = event ? { ...event.view, updatedAt: written.updatedAt } : undefined;
  return { snapshot: { ...cached, version: written.version, updatedAt: written.updatedAt, lines: change.lines }, cartId: cached.id, changed: true, view };
}

// A new cart's (session.newCart) first change, for a guest, when it makes a one-line cart: one
// statement instead of a transaction (the cart id is this request's own, so nothing can race
// it). Anything else returns null.
async function tryCreate<P, T>(session: CartRef, rule: Rule<P, T>, prepared: P, options: MutationOptions, guard: SQL | null): Promise<Outcome | null> {
  if (!fastPathMayTry(rule, options) || session.userId !== null || options.expectedVersion !== undefined) return null;
  const change = applyOrNull(rule, [], prepared, null);
  const line = change?.changed && change.note === undefined && change.lines.length === 1 ? change.lines[0]! : null;
  if (!line) return null;
  // The change's event, recorded by the same statement (lib/events/outbox.ts).
  const event = await pricedEvent("cart.created", { ...neverWritten(session.cartId, null), version: 1, lines: [line] });
  const created = await createWithLine(await db(), { id: session.cartId, currency: currency() }, line, guard, event?.insert);
  if (!created) return null;
  const snapshot: CartSnapshot = {
    id: session.cartId,
    userId: null,
    status: "active",
    version: created.version,
    currency: currency(),
    updatedAt: created.updatedAt,
    note: null,
    lines: [line],
  };
  return { snapshot, cartId: session.cartId, changed: true, view: event ? { ...event.view, updatedAt: created.updatedAt } : undefined };
}

// Inside the transaction: lock and bump, read, apply the rule, write (and remember a keyed outcome).
async function applyRule<P, T>(
  tx: Tx,
  session: CartRef,
  rule: Rule<P, T>,
  prepared: P,
  priced: { known: ReadonlyMap<string, Product>; asked: ReadonlySet<string> },
  options: MutationOptions,
): Promise<Outcome> {
  const { cart, cartId } = await lockOrCreate(tx, session);
  // Version 1 after the bump means no change was ever committed: no lines to read.
  // (Not "we inserted it": a concurrent first add may have inserted it and committed.)
  const fresh = cart.version === 1;
  const [lines, loaded] = await Promise.all([
    fresh ? Promise.resolve<CartLine[]>([]) : readLines(tx, cartId),
    rule.load ? rule.load(tx, cartId, prepared) : Promise.resolve(undefined as T),
  ]);
  const before = toSnapshot({ ...cart, version: cart.version - 1 }, lines);
  if (options.expectedVersion !== undefined && options.expectedVersion !== before.version) {
    throw new VersionConflict(fresh ? null : before);
  }
  const change = rule.apply(lines, loaded, prepared, before.note ?? null);
  if (!change.changed) throw new NoChange(before, cartId);
  const noteChanged = change.note !== undefined && change.note !== before.note;
  const snapshot = { ...toSnapshot(cart, change.lines), note: noteChanged ? change.note! : (before.note ?? null) };
  // A product the catalog was asked for and does not know is shown as unavailable (buildCartView).
  const missing = snapshot.lines.map((l) => l.productId).filter((id) => !priced.known.has(id) && !priced.asked.has(id));
  if (missing.length > 0) throw new NeedProducts(missing);
  const view = buildCartView(snapshot, priced.known);
  await Promise.all([
    writeLines(tx, cartId, lines, change.lines),
    noteChanged ? writeNote(tx, cartId, snapshot.note ?? null) : undefined,
    // Remembered in the same commit as the change: a retry can never apply it twice.
    options.idempotency ? recordOutcomeInTransaction(tx, options.idempotency, 200, view) : undefined,
    // The change's event, in its transaction (lib/events/outbox.ts).
    recordEvent(tx, fresh ? "cart.created" : "cart.updated", cartEventData(view, snapshot.userId)),
  ]);
  return { snapshot, cartId, changed: true, view };
}

// Runs one rule against the session's cart in one transaction (queued
// behind other changes to the same cart from this instance). A no-op rolls
// back, so it neither bumps the version nor creates a cart.
export async function mutate<P, T>(kind: CartOperationKind, session: CartRef, rule: Rule<P, T>, options: MutationOptions): Promise<CartResult> {
  try {
    const result = await mutateOnce(session, rule, options);
    recordCartOperation(kind, result.changed ? "changed" : "unchanged");
    return result;
  } catch (err) {
    // Refusals by their contract code; anything else is ours ("error").
    recordCartOperation(kind, err instanceof AppError ? err.code : "error");
    throw err;
  }
}

// The locked path, given the products its answer will show: those of the cart as cached (and
// what the rule priced), read before the lock; a cart that moved on needs one more read.
async function inTransaction<P, T>(
  session: CartRef,
  rule: Rule<P, T>,
  prepared: P,
  cached: CartSnapshot | null,
  options: MutationOptions,
): Promise<Outcome> {
  const database = await db();
  const ids = cached?.lines.map((l) => l.productId) ?? [];
  const known = new Map(await productsById(ids));
  const asked = new Set(ids);
  for (const product of rule.priced?.(prepared) ?? []) {
    known.set(product.id, product);
    asked.add(product.id);
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await database.transaction((tx) => applyRule(tx, session, rule, prepared, { known, asked }, options));
    } catch (err) {
      if (!(err instanceof NeedProducts) || attempt >= 3) throw err;
      for (const [id, product] of await productsById(err.productIds)) known.set(id, product);
      for (const id of err.productIds) asked.add(id);
    }
  }
}

const prepareFresh = async <P, T>(rule: Rule<P, T>): Promise<P> => (rule.prepare ? rule.prepare() : (undefined as P));

async function mutateOnce<P, T>(session: CartRef, rule: Rule<P, T>, options: MutationOptions): Promise<CartResult> {
  // A guarded guess (cached, checked in the fast path's statement) when the rule has one; else fresh.
  const guarded = fastPathMayTry(rule, options) && rule.prepareGuarded ? await rule.prepareGuarded() : null;
  const prepared = guarded ? guarded.prepared : await prepareFresh(rule);
  let outcome: Outcome;
  try {
    outcome = await serializeByCart(session.cartId, async () => {
      // One cache read serves both paths: the fast path's snapshot, and the locked path's guess at the products to show.
      const cached = session.newCart ? null : await getCachedCart(session.cartId);
      const guard = guarded?.guard ?? null;
      const fast = session.newCart
        ? await tryCreate(session, rule, prepared, options, guard)
        : await tryCompareAndSet(session, rule, prepared, cached, options, guard);
      // The locked path never decides on a guess: it reads fresh (outside any lock: this queue is not one).
      const done = fast ?? (await inTransaction(session, rule, guarded ? await prepareFresh(rule) : prepared, cached, options));
      // Cached before the next queued change starts, so it can take the fast path too (a no-op's is cached already).
      if (done.changed) {
        await cacheCart(done.snapshot);
        notifyChanged(done.snapshot);
      }
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
  return { cart: outcome.view ?? (await toView(outcome.snapshot)), cartId: outcome.cartId, changed: outcome.changed };
}

// After a commit: "cart changed", once, for whatever follows changes (lib/runtime/runtime.ts).
export function notifyChanged(snapshot: CartSnapshot): void {
  currentRuntime().cartChanged({ cartId: snapshot.id, version: snapshot.version, userId: snapshot.userId });
}
