import type { Metadata } from "next";
import Link from "next/link";
import { cart } from "@/app/_demo/cart";
import { CheckoutLines } from "@/app/_demo/checkout-lines";
import { formatMoney } from "next-cart/react";

export const metadata: Metadata = { title: "Order placed" };

// After "Place order": the shopper's latest checkout, completed, with the demo's order id.
export default async function ConfirmationPage() {
  const checkout = await cart.getCheckoutForRender();
  if (!checkout || checkout.status !== "completed") {
    return (
      <div className="container">
        <h1 className="page-title">No order yet</h1>
        <p className="muted">
          <Link href="/cart">Go to your cart</Link>.
        </p>
      </div>
    );
  }
  return (
    <div className="container">
      <h1 className="page-title">Thank you!</h1>
      <section className="checkout" data-testid="order-confirmation">
        <p>
          Your order <strong data-testid="order-id">{checkout.orderId}</strong> is placed.
        </p>
        <CheckoutLines checkout={checkout} lineTestId="confirmation-line" />
        <p className="checkout-total">
          Total <strong>{formatMoney(checkout.subtotal, checkout.currency)}</strong>
        </p>
        <p>
          <Link href="/">Continue shopping</Link>
        </p>
      </section>
    </div>
  );
}
