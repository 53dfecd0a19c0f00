import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { products } from "../../db/schema";
import type { CatalogAdapter, CatalogProduct } from "../cart/catalog";
import type { Product } from "../cart/types";
import { env } from "../config/env";
import { log } from "../log/logger";
import { db, onDatabaseReady } from "../storage/database";

// A catalog in the module's own `cart_products` table: what the demo storefront uses.
// The table is small and read on every cart view, so each process keeps a copy for
// CATALOG_CACHE_SECONDS; a `fresh` read (a change about to use a price) goes to Postgres.
// A row to seed: the cart's Product shape (without a link: the table's is /products/{slug}) and its place in the list.
export type SeedProduct = Omit<Product, "href"> & { position?: number };

// What the table holds for every product (the adapter's optional fields always present).
export interface StoredProduct extends CatalogProduct {
  slug: string;
  description: string;
  image: string;
  href: string;
}

export interface PostgresCatalog extends CatalogAdapter {
  listProducts(): Promise<StoredProduct[]>;
  bySlug(slug: string): Promise<StoredProduct | null>;
  // Forget the process copy (tests and admin tools that change prices).
  invalidate(): void;
}

interface Copy {
  list: StoredProduct[];
  byId: Map<string, StoredProduct>;
  loadedAt: number;
}

type Row = typeof products.$inferSelect;

function fromRow(row: Row): StoredProduct {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    price: row.price,
    currency: row.currency,
    available: row.active,
    image: row.image,
    href: `/products/${row.slug}`,
  };
}

// `seed`: rows written when the table is empty (the demo's catalog), once per database.
export function postgresCatalog(options: { seed?: readonly SeedProduct[] } = {}): PostgresCatalog {
  const seed = options.seed;
  if (seed && seed.length > 0) {
    onDatabaseReady(async (database) => {
      const existing = await database.select({ id: products.id }).from(products).limit(1);
      if (existing.length > 0) return;
      await database
        .insert(products)
        .values(seed.map((p, i) => ({ ...p, position: p.position ?? i })))
        .onConflictDoNothing();
      log.info("seeded the catalog", { products: seed.length });
    });
  }

  let copy: Copy | undefined;
  let loading: Promise<Copy> | undefined;

  const load = async (): Promise<Copy> => {
    const rows = await (await db()).select().from(products).orderBy(asc(products.position), asc(products.id));
    const list = rows.map(fromRow);
    copy = { list, byId: new Map(list.map((p) => [p.id, p])), loadedAt: Date.now() };
    return copy;
  };

  const current = async (): Promise<Copy> => {
    if (copy && Date.now() - copy.loadedAt < env().CATALOG_CACHE_SECONDS * 1000) return copy;
    // One refresh at a time; concurrent callers share it. A failed refresh serves the copy it has.
    const previous = copy;
    loading ??= load()
      .catch((err: unknown) => {
        if (previous) return previous;
        throw err;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  return {
    async getProducts(ids, { fresh = false } = {}) {
      if (fresh) {
        const rows = await (await db()).select().from(products).where(inArray(products.id, [...ids]));
        return rows.map(fromRow);
      }
      let known = await current();
      // A product the copy has not seen yet (added since): refresh once.
      if (!ids.every((id) => known.byId.has(id))) known = await load();
      return ids.flatMap((id) => known.byId.get(id) ?? []);
    },
    // The add's fast path checks the price it took from the copy in its own statement.
    priceStillValid(productId, price, currency) {
      return sql`exists (select 1 from ${products} where ${and(eq(products.id, productId), eq(products.price, price), eq(products.currency, currency), eq(products.active, true))})`;
    },
    async listProducts() {
      return (await current()).list;
    },
    async bySlug(slug) {
      return (await current()).list.find((p) => p.slug === slug) ?? null;
    },
    invalidate() {
      copy = undefined;
    },
  };
}
