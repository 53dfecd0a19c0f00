import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { catalog } from "@/app/_demo/cart";
import { AddToCartButton, cartErrorFromSearchParams, cartErrorMessage, formatMoney } from "next-cart/react";

// Products the demo engraves: the engraving is the line's property, so an engraved mug and a
// plain one are two lines.
const ENGRAVABLE = new Set(["sku-mug-stoneware"]);

interface ProductPageProps {
  params: Promise<{ slug: string }>;
  searchParams: Promise<{ cartError?: string | string[] }>;
}

export async function generateMetadata({ params }: ProductPageProps): Promise<Metadata> {
  const product = await catalog.bySlug((await params).slug);
  return product ? { title: product.name, description: product.description } : { title: "Product not found" };
}

export default async function ProductPage({ params, searchParams }: ProductPageProps) {
  const [{ slug }, query] = await Promise.all([params, searchParams]);
  const product = await catalog.bySlug(slug);
  if (!product) notFound();
  const errorCode = cartErrorFromSearchParams(query.cartError);
  const path = `/products/${product.slug}`;

  return (
    <div className="container">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link href="/">Shop</Link>
          </li>
          <li aria-current="page">{product.name}</li>
        </ol>
      </nav>

      <article className="product" data-testid="product" data-product-id={product.id}>
        <div className="product-media">
          {/* eslint-disable-next-line @next/next/no-img-element -- small local SVGs need no optimisation */}
          <img className="product-image" src={product.image} alt={product.name} width={640} height={640} />
        </div>
        <div className="product-details">
          <h1 className="product-title">{product.name}</h1>
          <p className="product-price" data-testid="product-price">
            {formatMoney(product.price, product.currency)}
          </p>
          <p className="product-description">{product.description}</p>

          {errorCode ? (
            <p className="alert alert-error" role="alert" data-testid="cart-error">
              {cartErrorMessage(errorCode)}
            </p>
          ) : null}

          {product.available ? (
            <>
              <AddToCartButton
                productId={product.id}
                name={product.name}
                unitPrice={product.price}
                slug={product.slug}
                image={product.image}
                returnTo={path}
                withQuantity
                size="large"
              >
                {ENGRAVABLE.has(product.id) ? (
                  <div className="field engraving-field">
                    <label htmlFor="engraving" className="field-label">
                      Engraving <span className="muted">(optional, up to 40 characters)</span>
                    </label>
                    <input id="engraving" name="properties[Engraving]" type="text" maxLength={40} className="input" data-testid="engraving" />
                  </div>
                ) : null}
              </AddToCartButton>
              <ul className="product-perks">
                <li>Free shipping over $75</li>
                <li>Free returns within 30 days</li>
              </ul>
            </>
          ) : (
            <p className="badge badge-muted badge-large" data-testid="product-unavailable">
              No longer available
            </p>
          )}
        </div>
      </article>
    </div>
  );
}
