import { asc, eq } from "drizzle-orm";
import { products } from "../../db/schema";
import { env } from "../config/env";
import { db } from "../storage/database";
import type { Product } from "../cart/types";

/**
 * The catalog is small and read on every cart view, so each process keeps a
 * copy for CATALOG_CACHE_SECONDS. Writes never trust it: they read the
 * product inside their transaction.
 */
interface CatalogCache {
  list: Product[];
  byId: Map<string, Product>;
  loadedAt: number;
}

const globalForCatalog = globalThis as unknown as { __cartCatalog?: CatalogCache; __cartCatalogLoading?: Promise<CatalogCache> };

function toProduct(row: typeof products.$inferSelect): Product {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    price: row.price,
    currency: row.currency,
    active: row.active,
    image: row.image,
  };
}

type Reader = Pick<Awaited<ReturnType<typeof db>>, "select">;

async function load(reader?: Reader): Promise<CatalogCache> {
  const rows = await (reader ?? (await db())).select().from(products).orderBy(asc(products.position), asc(products.id));
  const list = rows.map(toProduct);
  const cache = { list, byId: new Map(list.map((p) => [p.id, p])), loadedAt: Date.now() };
  globalForCatalog.__cartCatalog = cache;
  return cache;
}

async function catalog(): Promise<CatalogCache> {
  const cached = globalForCatalog.__cartCatalog;
  if (cached && Date.now() - cached.loadedAt < env().CATALOG_CACHE_SECONDS * 1000) return cached;
  // One refresh at a time; concurrent callers share it. A failed refresh serves the copy it has.
  globalForCatalog.__cartCatalogLoading ??= load()
    .catch((err: unknown) => {
      if (cached) return cached;
      throw err;
    })
    .finally(() => {
      globalForCatalog.__cartCatalogLoading = undefined;
    });
  return globalForCatalog.__cartCatalogLoading;
}

export async function listProducts(): Promise<Product[]> {
  return (await catalog()).list;
}

export async function getProductBySlug(slug: string): Promise<Product | null> {
  return (await catalog()).list.find((p) => p.slug === slug) ?? null;
}

/**
 * The catalog by id, refreshed when a cart names a product the copy has not
 * seen yet. Inside a transaction pass it as `reader`: taking a second pool
 * connection while holding a cart lock could starve the pool.
 */
export async function catalogFor(productIds: readonly string[], reader?: Reader): Promise<ReadonlyMap<string, Product>> {
  const cached = globalForCatalog.__cartCatalog;
  const fresh = cached && Date.now() - cached.loadedAt < env().CATALOG_CACHE_SECONDS * 1000;
  if (cached && (fresh || reader) && productIds.every((id) => cached.byId.has(id))) return cached.byId;
  if (!reader) {
    const current = await catalog();
    if (productIds.every((id) => current.byId.has(id))) return current.byId;
  }
  return (await load(reader)).byId;
}

/** Authoritative read for writes; runs on the given transaction. */
export async function readProduct(tx: Pick<Awaited<ReturnType<typeof db>>, "select">, productId: string): Promise<Product | null> {
  const [row] = await tx.select().from(products).where(eq(products.id, productId)).limit(1);
  return row ? toProduct(row) : null;
}

/** Tests and admin tools that change prices call this to see the change at once. */
export function invalidateCatalog(): void {
  globalForCatalog.__cartCatalog = undefined;
}
