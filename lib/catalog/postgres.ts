import { asc, inArray, sql } from "drizzle-orm";
import { products } from "../../db/schema";
import type { CatalogAdapter, CatalogProduct } from "../cart/catalog";
import type { Product } from "../cart/types";
import { log } from "../log/logger";
import { recordCatalogRead } from "../observe/metrics";
import type { Database } from "../storage/database";
import { currentRuntime } from "../runtime/context";
import type { CartRuntime } from "../runtime/runtime";

// A catalog in the module's own `cart_products` table: what the demo storefront uses.
// The table is small and read on every cart view, so each process keeps a copy for
// CATALOG_CACHE_SECONDS; a `fresh` read (a change about to use a price) goes to Postgres.
// A row to seed: the cart's Product shape (without a link: the adapter's `href` option makes it) and its place in the list.
export type SeedProduct = Omit<Product, "href"> & { position?: number };

// What the table holds for every product (the adapter's optional fields always present).
export interface StoredProduct extends CatalogProduct {
  slug: string;
  description: string;
  image: string;
  href: string | null;
}

// Where a product's page is, for the cart's lines (their `href`): the components link a line to
// it before any provider-level productHref. A host without such pages passes null: no links.
export type ProductPage = ((product: { id: string; slug: string }) => string | null) | null;

// The demo storefront's pages; the default, so today's hosts keep their links.
const productsPage: ProductPage = (product) => `/products/${product.slug}`;

export interface PostgresCatalog extends CatalogAdapter {
  // Called by createCart: the table is seeded, when empty, once the instance's database is open.
  attach(runtime: CartRuntime): void;
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

function fromRow(row: Row, page: ProductPage): StoredProduct {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    price: row.price,
    currency: row.currency,
    available: row.active,
    image: row.image,
    href: page ? page(row) : null,
  };
}

// `seed`: rows written when the table is empty (the demo's catalog), once per database.
// `href`: each product's page (default /products/{slug}; null: none).
export function postgresCatalog(options: { seed?: readonly SeedProduct[]; href?: ProductPage } = {}): PostgresCatalog {
  const seed = options.seed ?? [];
  const page = options.href === undefined ? productsPage : options.href;
  const stored = (row: Row) => fromRow(row, page);

  const seedTable = async (database: Database): Promise<void> => {
    const existing = await database.select({ id: products.id }).from(products).limit(1);
    if (existing.length > 0) return;
    await database
      .insert(products)
      .values(seed.map((p, i) => ({ ...p, position: p.position ?? i })))
      .onConflictDoNothing();
    log.info("seeded the catalog", { products: seed.length });
  };
  // Read as the instance serving the call (createCart's `cart.catalog` runs a page's reads as it).
  const db = () => currentRuntime().db();
  const cacheSeconds = () => currentRuntime().settings.CATALOG_CACHE_SECONDS;

  let copy: Copy | undefined;
  let loading: Promise<Copy> | undefined;
  // Ids the table did not have, until when: an unknown id (a deleted product still in carts, a
  // made-up one) is looked up by id at most once per CATALOG_CACHE_SECONDS, and concurrent
  // requests for the same ids share one lookup. Never a reload of the whole table.
  const unknownUntil = new Map<string, number>();
  const lookups = new Map<string, Promise<void>>();

  const lookUp = (ids: string[]): Promise<void> => {
    const key = ids.join("\u0000");
    let pending = lookups.get(key);
    if (!pending) {
      pending = (async () => {
        recordCatalogRead("by_id");
        const rows = await (await db()).select().from(products).where(inArray(products.id, ids));
        const found = rows.map(stored);
        if (copy) {
          for (const product of found) copy.byId.set(product.id, product);
        }
        const until = Date.now() + Math.max(1, cacheSeconds()) * 1000;
        const foundIds = new Set(found.map((p) => p.id));
        for (const id of ids) if (!foundIds.has(id)) unknownUntil.set(id, until);
        if (unknownUntil.size > 10_000) unknownUntil.clear();
      })().finally(() => lookups.delete(key));
      lookups.set(key, pending);
    }
    return pending;
  };

  const load = async (): Promise<Copy> => {
    recordCatalogRead("all");
    const rows = await (await db()).select().from(products).orderBy(asc(products.position), asc(products.id));
    const list = rows.map(stored);
    copy = { list, byId: new Map(list.map((p) => [p.id, p])), loadedAt: Date.now() };
    return copy;
  };

  const current = async (): Promise<Copy> => {
    if (copy && Date.now() - copy.loadedAt < cacheSeconds() * 1000) return copy;
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
    attach(runtime) {
      if (seed.length > 0) runtime.onDatabaseReady(seedTable);
    },
    async getProducts(ids, { fresh = false } = {}) {
      if (fresh) {
        recordCatalogRead("fresh");
        const rows = await (await db()).select().from(products).where(inArray(products.id, [...ids]));
        return rows.map(stored);
      }
      const known = await current();
      // A product the copy has not seen (added since, or unknown): looked up by id only.
      const now = Date.now();
      const unseen = [...new Set(ids)].filter((id) => !known.byId.has(id) && (unknownUntil.get(id) ?? 0) <= now).sort();
      if (unseen.length > 0) await lookUp(unseen);
      const latest = copy ?? known;
      return ids.flatMap((id) => latest.byId.get(id) ?? known.byId.get(id) ?? []);
    },
    // The add's fast path checks the price it took from the copy in its own statement. Written
    // out rather than with drizzle's column operators: it is built on every add, and rendering
    // four of them cost more than the rest of that statement.
    priceStillValid(productId, price, currency) {
      return sql`exists (select 1 from cart_products where id = ${productId} and price = ${price} and currency = ${currency} and active)`;
    },
    async listProducts() {
      return (await current()).list;
    },
    async bySlug(slug) {
      return (await current()).list.find((p) => p.slug === slug) ?? null;
    },
    invalidate() {
      copy = undefined;
      unknownUntil.clear();
    },
  };
}
