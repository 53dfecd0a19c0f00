import type { CatalogAdapter, CatalogProduct } from "../cart/catalog";

// The adapter's shape at its smallest: products held in memory. A host with its own
// catalog service writes the same two functions over its API or database.
export function memoryCatalog(products: readonly CatalogProduct[]): CatalogAdapter & { listProducts(): Promise<CatalogProduct[]> } {
  const byId = new Map(products.map((p) => [p.id, p]));
  return {
    async getProducts(ids) {
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
    async listProducts() {
      return [...byId.values()];
    },
  };
}
