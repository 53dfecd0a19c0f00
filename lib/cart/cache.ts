import { env } from "../config/env";
import { log } from "../log/logger";
import { recordCacheLookup } from "../observe/metrics";
import { parseVersioned } from "../storage/kv";
import { store } from "../storage/store";
import type { CartLine, CartSnapshot } from "./types";

// Cache-aside copy of carts in the session store. Postgres stays the truth:
// entries are written only after a commit, versioned so an older snapshot
// never replaces a newer one, and every failure here is a miss.
//
// An entry is kept small (it is most of a live session's memory): a JSON array, not an object
// with field names, without what its key and version prefix already say (the id, the version),
// times as epoch milliseconds: [userId, status, currency, updatedAt, [[productId, quantity,
// addedUnitPrice, addedAt], …]]. The key's "ccart:" (not the first format's "cart:") keeps an
// instance of the first format from reading an entry it cannot parse.
export const cartCacheKey = (cartId: string) => `ccart:${cartId}`;
const key = cartCacheKey;

type Packed = [string | null, CartSnapshot["status"], string, number, [string, number, number, number][]];

export function packCart(snapshot: CartSnapshot): string {
  const packed: Packed = [
    snapshot.userId,
    snapshot.status,
    snapshot.currency,
    Date.parse(snapshot.updatedAt),
    snapshot.lines.map((l) => [l.productId, l.quantity, l.addedUnitPrice, Date.parse(l.addedAt)]),
  ];
  return JSON.stringify(packed);
}

const STATUSES: ReadonlySet<unknown> = new Set<CartSnapshot["status"]>(["active", "merged", "closed"]);

// Anything that is not exactly this shape is a miss (a corrupt or foreign entry is never trusted).
export function unpackCart(id: string, version: number, text: string): CartSnapshot | null {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || value.length !== 5) return null;
  const [userId, status, currency, updatedAt, lines] = value as unknown[];
  if (!(userId === null || typeof userId === "string") || !STATUSES.has(status)) return null;
  if (typeof currency !== "string" || !Number.isFinite(updatedAt) || !Array.isArray(lines)) return null;
  const unpacked: CartLine[] = [];
  for (const line of lines as unknown[]) {
    if (!Array.isArray(line) || line.length !== 4) return null;
    const [productId, quantity, addedUnitPrice, addedAt] = line as unknown[];
    if (typeof productId !== "string" || !Number.isInteger(quantity) || !Number.isInteger(addedUnitPrice) || !Number.isFinite(addedAt)) return null;
    unpacked.push({ productId, quantity: quantity as number, addedUnitPrice: addedUnitPrice as number, addedAt: new Date(addedAt as number).toISOString() });
  }
  return { id, userId: userId as string | null, status: status as CartSnapshot["status"], version, currency, updatedAt: new Date(updatedAt as number).toISOString(), lines: unpacked };
}

export async function getCachedCart(cartId: string): Promise<CartSnapshot | null> {
  try {
    const hit = parseVersioned(await (await store()).get(key(cartId)));
    const snapshot = hit ? unpackCart(cartId, hit.version, hit.value) : null;
    recordCacheLookup(snapshot !== null);
    return snapshot;
  } catch (err) {
    log.debug("cart cache read failed", { err });
    recordCacheLookup(false);
    return null;
  }
}

export async function cacheCart(snapshot: CartSnapshot): Promise<void> {
  try {
    await (await store()).setIfNewer(key(snapshot.id), snapshot.version, packCart(snapshot), env().CART_CACHE_TTL_SECONDS);
  } catch (err) {
    log.debug("cart cache write failed", { err });
  }
}
