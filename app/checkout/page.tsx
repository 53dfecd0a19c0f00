import type { Metadata } from "next";
import Link from "next/link";
import { cancelCheckoutAction, placeOrderAction } from "@/app/actions/checkout";
import { cart } from "@/app/_demo/cart";
import { CheckoutLines } from "@/app/_demo/checkout-lines";
import { formatMoney } from "next-cart/react";

export const metadata: Metadata = { title: "Review your order" };

// The review page: the checkout's snapshot (prices as quoted when it started), "Place order"
// and "Back to cart". Rendering reads only.
export default async function CheckoutPage() {
  const checkout = await cart.getCheckoutForRender();
  if (!checkout || checkout.status !== "open") {
    return (
      <div className="container">
        <h1 className="page-title">Checkout</h1>
        <p className="muted" data-testid="checkout-none">
          {checkout?.status === "completed" ? "This order is placed already." : "There is no checkout in progress."}{" "}
          <Link href="/cart">Go to your cart</Link>.
        </p>
      </div>
    );
  }
  return (
    <div className="container">
      <h1 className="page-title">Review your order</h1>
      <section className="checkout" data-testid="checkout-review" data-checkout-id={checkout.id}>
        <CheckoutLines checkout={checkout} lineTestId="checkout-line" />
        {checkout.note ? (
          <p className="checkout-note" data-testid="checkout-note">
            <strong>Note:</strong> {checkout.note}
          </p>
        ) : null}
        <p className="checkout-total">
          Total <strong data-testid="checkout-subtotal">{formatMoney(checkout.subtotal, checkout.currency)}</strong>
        </p>
        <p className="muted">
          Prices held until {new Date(checkout.expiresAt).toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC.
          This demo takes no payment.
        </p>
        <div className="checkout-actions">
          <form action={placeOrderAction}>
            <input type="hidden" name="checkoutId" value={checkout.id} />
            <button type="submit" className="button button-primary" data-testid="place-order">
              Place order
            </button>
          </form>
          <form action={cancelCheckoutAction}>
            <button type="submit" className="button button-secondary" data-testid="checkout-cancel">
              Back to cart
            </button>
          </form>
        </div>
      </section>
    </div>
  );
}
