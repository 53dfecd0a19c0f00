import Link from "next/link";
import { catalog } from "@/app/_demo/cart";
import { AddToCartButton, formatMoney } from "next-cart/react";

// The catalog comes from the database at request time, never from the build.
export const dynamic = "force-dynamic";

export default async function CatalogPage() {
  const products = (await catalog.listProducts()).filter((product) => product.available);

  return (
    <div className="container">
      <section className="hero" aria-labelledby="hero-title">
        <p className="eyebrow">New season, same promise</p>
        <h1 id="hero-title">Everyday goods, made to last.</h1>
        <p className="hero-text">
          Organic cotton basics, sturdy bags and small things for slow mornings. Free returns within 30 days.
        </p>
      </section>

      <section aria-labelledby="catalog-title">
        <div className="section-head">
          <h2 id="catalog-title">All products</h2>
          <p className="muted">{products.length} products</p>
        </div>
        <ul className="product-grid" data-testid="product-grid">
          {products.map((product) => (
            <li key={product.id} className="product-card" data-testid="product-card" data-product-id={product.id}>
              <Link href={`/products/${product.slug}`} className="product-card-link">
                {/* eslint-disable-next-line @next/next/no-img-element -- small local SVGs need no optimisation */}
                <img className="product-card-image" src={product.image} alt="" width={400} height={400} loading="lazy" />
                <span className="product-card-name">{product.name}</span>
              </Link>
              <div className="product-card-foot">
                <span className="price">{formatMoney(product.price, product.currency)}</span>
                <AddToCartButton
                  productId={product.id}
                  name={product.name}
                  unitPrice={product.price}
                  slug={product.slug}
                  image={product.image}
                  returnTo="/"
                  label="Add"
                  size="compact"
                />
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
