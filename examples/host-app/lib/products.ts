import type { CatalogProduct } from "next-cart/server";

// The host's own catalog: here a few products in memory. Prices are in cents and only ever come from here.
export const products: CatalogProduct[] = [
  { id: "mug", slug: "mug", name: "Stoneware mug", price: 1800, currency: "USD", available: true, href: "/products/mug" },
  { id: "tote", slug: "tote", name: "Canvas tote", price: 2400, currency: "USD", available: true, href: "/products/tote" },
  { id: "socks", slug: "socks", name: "Wool socks", price: 1500, currency: "USD", available: true, href: "/products/socks" },
];

export function productBySlug(slug: string): CatalogProduct | undefined {
  return products.find((p) => p.slug === slug);
}
