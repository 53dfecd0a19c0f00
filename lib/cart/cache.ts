import { z } from "zod";
import { carts } from "../../db/schema";
import { env } from "../config/env";
import { log } from "../log/logger";
import { recordCacheLookup } from "../observe/metrics";
import { parseVersioned } from "../storage/kv";
import { store } from "../storage/store";
import { currentContext } from "../runtime/context";
import { epochOf, isoTime } from "../time";
import { withProperties } from "./domain";
import type { CartSnapshot } from "./types";

// Cache-aside copy of carts in the session store. Postgres stays the truth:
// entries are written only after a commit, versioned so an older snapshot
// never replaces a newer one, and every failure here is a miss.
//
// An entry is kept small (it is most of a live session's memory): a JSON array, not an object
// with field names, without what its key and version prefix already say (the id, the version),
// times as epoch milliseconds: [userId, status, currency, updatedAt, note, [[productId, quantity,
// addedUnitPrice, addedAt, properties?], …]] (properties only when the line has some). The key's
// "ccart:2:" (format 2; not the earlier formats' "cart:<id>" and "ccart:<id>", which had no
// note, properties or "ordered" status) keeps an instance of an earlier format from reading an
// entry it cannot parse, and this one from reading theirs. (Its kind, for the bench's memory
// figures, is still "ccart".)
export const cartCacheKey = (cartId: string) => `ccart:2:${cartId}`;

// Anything that is not exactly this shape is a miss (a corrupt or foreign entry is never trusted).
const packedSchema = z.tuple([
  z.string().nullable(),
  z.enum(carts.status.enumValues),
  z.string(),
  z.number(),
  z.string().nullable(),
  z.array(
    z.union([
      z.tuple([z.string(), z.number().int(), z.number().int(), z.number()]),
      z.tuple([z.string(), z.number().int(), z.number().int(), z.number(), z.record(z.string(), z.string())]),
    ]),
  ),
]);

export function packCart(snapshot: CartSnapshot): string {
  const packed: z.infer<typeof packedSchema> = [
    snapshot.userId,
    snapshot.status,
    snapshot.currency,
    epochOf(snapshot.updatedAt),
    snapshot.note ?? null,
    snapshot.lines.map((l) =>
      l.properties && Object.keys(l.properties).length > 0
        ? [l.productId, l.quantity, l.addedUnitPrice, epochOf(l.addedAt), l.properties]
        : [l.productId, l.quantity, l.addedUnitPrice, epochOf(l.addedAt)],
    ),
  ];
  return JSON.stringify(packed);
}

export function unpackCart(id: string, version: number, text: string): CartSnapshot | null {
  const parsed = packedSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  const [userId, status, currency, updatedAt, note, lines] = parsed.data;
  return {
    id,
    userId,
    status,
    version,
    currency,
    updatedAt: isoTime(updatedAt),
    note,
    lines: lines.map(([productId, quantity, addedUnitPrice, addedAt, properties]) =>
      withProperties({ productId, quantity, addedUnitPrice, addedAt: isoTime(addedAt) }, properties),
    ),
  };
}

// Starts the read of a cart's cached copy beside the session's own store read, so both go to
// Redis in one round trip (node-redis writes every command of an event-loop turn at once). The
// first read of that cart in the same request takes it; any later one reads afresh. A copy that
// went stale while a change queued ahead of this request's costs only the fast path (its
// compare-and-set names the version it read, lib/cart/changes.ts), never a wrong answer.
export function prefetchCachedCart(cartId: string): void {
  const context = currentContext();
  if (context) (context.cartReads ??= new Map()).set(cartId, readCachedCart(cartId));
}

export function getCachedCart(cartId: string): Promise<CartSnapshot | null> {
  const early = currentContext()?.cartReads;
  const prefetched = early?.get(cartId);
  if (prefetched) {
    early!.delete(cartId);
    return prefetched;
  }
  return readCachedCart(cartId);
}

async function readCachedCart(cartId: string): Promise<CartSnapshot | null> {
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
