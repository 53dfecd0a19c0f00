import Link from "next/link";
import { AddToCartButton, formatMoney } from "next-cart/react";
import { cart } from "@/lib/cart";

// The products come from the cart's catalog (lib/cart.ts, as next-cart init wrote it).
export default async function CatalogPage() {
  const products = await cart.catalog.listProducts();
  return (
    <>
      <h1>Products</h1>
      <ul className="cards">
        {products.map((p) => (
          <li key={p.id} className="card" data-testid="product-card">
            <h2>
              <Link href={`/products/${p.slug ?? p.id}`}>{p.name}</Link>
            </h2>
            <p>{formatMoney(p.price, p.currency)}</p>
            <AddToCartButton productId={p.id} name={p.name} unitPrice={p.price} slug={p.slug ?? p.id} image="" returnTo="/" />
          </li>
        ))}
      </ul>
    </>
  );
}
