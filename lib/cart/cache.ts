import { env } from "../config/env";
import { log } from "../log/logger";
import { recordCacheLookup } from "../observe/metrics";
import { parseVersioned } from "../storage/kv";
import { store } from "../storage/store";
import type { CartSnapshot } from "./types";

// Cache-aside copy of carts in the session store. Postgres stays the truth:
// entries are written only after a commit, versioned so an older snapshot
// never replaces a newer one, and every failure here is a miss.
const key = (cartId: string) => `cart:${cartId}`;

export async function getCachedCart(cartId: string): Promise<CartSnapshot | null> {
  try {
    const hit = parseVersioned(await (await store()).get(key(cartId)));
    recordCacheLookup(hit !== null);
    return hit ? (JSON.parse(hit.value) as CartSnapshot) : null;
  } catch (err) {
    log.debug("cart cache read failed", { err });
    recordCacheLookup(false);
    return null;
  }
}

export async function cacheCart(snapshot: CartSnapshot): Promise<void> {
  try {
    await (await store()).setIfNewer(key(snapshot.id), snapshot.version, JSON.stringify(snapshot), env().CART_CACHE_TTL_SECONDS);
  } catch (err) {
    log.debug("cart cache write failed", { err });
  }
}
