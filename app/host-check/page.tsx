import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { catalog } from "@/app/_demo/cart";
import { AddToCartButton } from "next-cart/react";
import "./hostile.css";

// A host page with aggressive global CSS (./hostile.css): the header's badge, the drawer and the
// lines must stay readable under it. For e2e/host-css.spec.ts; nothing links here.
export const metadata: Metadata = { title: "Host check", robots: { index: false } };

export default async function HostCheckPage() {
  const product = await catalog.bySlug("tee-black-m");
  if (!product) notFound();
  return (
    <div className="container">
      <h1>A host with its own stylesheet</h1>
      <h2>This heading is hidden by the host&apos;s own rule</h2>
      <AddToCartButton productId={product.id} name={product.name} unitPrice={product.price} slug={product.slug} image={product.image} returnTo="/host-check" />
    </div>
  );
}
