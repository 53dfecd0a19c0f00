import { z } from "zod";
import { carts } from "../../db/schema";
import { env } from "../config/env";
import { log } from "../log/logger";
import { recordCacheLookup } from "../observe/metrics";
import { parseVersioned } from "../storage/kv";
import { store } from "../storage/store";
import type { CartSnapshot } from "./types";

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

// Anything that is not exactly this shape is a miss (a corrupt or foreign entry is never trusted).
const packedSchema = z.tuple([
  z.string().nullable(),
  z.enum(carts.status.enumValues),
  z.string(),
  z.number(),
  z.array(z.tuple([z.string(), z.number().int(), z.number().int(), z.number()])),
]);

export function packCart(snapshot: CartSnapshot): string {
  const packed: z.infer<typeof packedSchema> = [
    snapshot.userId,
    snapshot.status,
    snapshot.currency,
    Date.parse(snapshot.updatedAt),
    snapshot.lines.map((l) => [l.productId, l.quantity, l.addedUnitPrice, Date.parse(l.addedAt)]),
  ];
  return JSON.stringify(packed);
}

export function unpackCart(id: string, version: number, text: string): CartSnapshot | null {
  const parsed = packedSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  const [userId, status, currency, updatedAt, lines] = parsed.data;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id,
    userId,
    status,
    version,
    currency,
    updatedAt: iso(updatedAt),
    lines: lines.map(([productId, quantity, addedUnitPrice, addedAt]) => ({ productId, quantity, addedUnitPrice, addedAt: iso(addedAt) })),
  };
}

export async function getCachedCart(cartId: string): Promise<CartSnapshot | null> {
  try {
    const hit = parseVersioned(await (await store()).cache.get(cartCacheKey(cartId)));
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
    await (await store()).cache.setIfNewer(cartCacheKey(snapshot.id), snapshot.version, packCart(snapshot), env().CART_CACHE_TTL_SECONDS);
  } catch (err) {
    log.debug("cart cache write failed", { err });
  }
}
