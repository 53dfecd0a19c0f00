import { notFound } from "next/navigation";
import { AddToCartButton, formatMoney } from "next-cart/react";
import { cart } from "@/lib/cart";

export default async function ProductPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const product = (await cart.catalog.listProducts()).find((p) => (p.slug ?? p.id) === slug);
  if (!product) notFound();
  return (
    <article className="card">
      <h1>{product.name}</h1>
      <p>{formatMoney(product.price, product.currency)}</p>
      <AddToCartButton
        productId={product.id}
        name={product.name}
        unitPrice={product.price}
        slug={slug}
        image=""
        returnTo={`/products/${slug}`}
        withQuantity
      />
    </article>
  );
}
