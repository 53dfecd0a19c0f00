import type { SQL } from "drizzle-orm";
import { z } from "zod";
import { currentRuntime } from "../runtime/context";
import type { Product } from "./types";

// The catalog port. Names, prices and availability come only from the host's
// adapter (never from a client); the cart validates what the adapter returns
// and turns it into its own Product shape.
export interface CatalogProduct {
  id: string;
  name: string;
  // In minor units (cents), in `currency`.
  price: number;
  currency: string;
  available: boolean;
  image?: string | null;
  // Where the product's page is; the demo's is /products/{slug}.
  href?: string | null;
  slug?: string | null;
  description?: string | null;
}

export interface CatalogAdapter {
  // Every product among `ids` the catalog knows (unknown ids are left out). `fresh`: a change
  // is about to use the price, so an adapter with a cache must read its source.
  getProducts(ids: readonly string[], options?: { fresh?: boolean }): Promise<readonly CatalogProduct[]>;
  // The whole catalog for GET /api/products; without it that route lists nothing.
  listProducts?(): Promise<readonly CatalogProduct[]>;
  // Optional, for a catalog in the cart's own Postgres: a SQL condition that holds while the
  // product is still sold at `price` in `currency`. A one-line add then checks a price from the
  // adapter's cache inside its own statement instead of reading the catalog fresh first (one
  // round trip less); when the condition fails, the add reads fresh and takes the locked path.
  priceStillValid?(productId: string, price: number, currency: string): SQL;
}

const catalogProductSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(500),
  price: z.number().int().min(0).max(100_000_000_00),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  available: z.boolean(),
  image: z.string().max(2000).nullish(),
  href: z.string().max(2000).nullish(),
  slug: z.string().max(200).nullish(),
  description: z.string().max(10_000).nullish(),
});

// Validated once per object the adapter hands out: a caching adapter returns the same objects
// on every read, and checking them again on every cart view cost more than the view itself.
const checked = new WeakMap<CatalogProduct, Product>();

function toProduct(input: CatalogProduct): Product {
  const known = checked.get(input);
  if (known) return known;
  const product = validate(input);
  checked.set(input, product);
  return product;
}

function validate(input: CatalogProduct): Product {
  const parsed = catalogProductSchema.safeParse(input);
  if (!parsed.success) {
    // The host's bug, not the shopper's: a 500 in our logs, never the adapter's text in a response.
    throw new Error(`the catalog adapter returned an invalid product: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  }
  const p = parsed.data;
  return {
    id: p.id,
    slug: p.slug ?? p.id,
    name: p.name,
    description: p.description ?? "",
    price: p.price,
    currency: p.currency,
    active: p.available,
    image: p.image ?? "",
    href: p.href ?? null,
  };
}

// The catalog of the instance serving the current call (createCart's `catalog`).
function adapter(): CatalogAdapter {
  return currentRuntime().catalog;
}

export async function productsById(ids: readonly string[], options: { fresh?: boolean } = {}): Promise<ReadonlyMap<string, Product>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const found = await adapter().getProducts(unique, options);
  const wanted = new Set(unique);
  return new Map(found.filter((p) => wanted.has(p.id)).map((p) => [p.id, toProduct(p)]));
}

export async function productById(id: string, options: { fresh?: boolean } = {}): Promise<Product | null> {
  return (await productsById([id], options)).get(id) ?? null;
}

// The adapter's SQL price check for a one-line add, when it has one (see priceStillValid).
export function priceStillValid(productId: string, price: number, currency: string): SQL | null {
  const current = adapter();
  return current.priceStillValid ? current.priceStillValid(productId, price, currency) : null;
}

export async function listCatalog(): Promise<Product[]> {
  const list = adapter().listProducts;
  return list ? (await list.call(adapter())).map(toProduct) : [];
}
