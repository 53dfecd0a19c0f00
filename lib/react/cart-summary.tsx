"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { formAction, useCart } from "./cart-provider";
import { cx } from "./class-names";
import { formatMoney } from "./format";
import { IdempotencyField } from "./idempotency-field";
import { itemCountText } from "./messages";

export interface CartSummaryProps {
  // Where "Continue shopping" goes; null hides it.
  shopHref?: string | null;
  // Where posts without JavaScript land afterwards.
  returnTo?: string;
  // Shown after the totals (e.g. the drawer's "View cart").
  children?: ReactNode;
  className?: string;
  // The host's checkout: a page to link to, or a server action that starts the checkout (a
  // plain form, so it works without JavaScript) — e.g. one that calls the module's
  // createCheckout operation and redirects to a review page. Neither: no "Checkout" button.
  checkoutHref?: string;
  checkoutAction?: CheckoutAction;
}

export type CheckoutAction = (formData: FormData) => void | Promise<void>;

// "Checkout": a form posting to the host's action, else a link to its page.
export function CheckoutButton({ checkoutHref, checkoutAction, returnTo }: { checkoutHref?: string; checkoutAction?: CheckoutAction; returnTo: string }) {
  const { messages } = useCart();
  if (checkoutAction) {
    return (
      <form action={checkoutAction} className="nc-checkout">
        <input type="hidden" name="returnTo" value={returnTo} />
        <button type="submit" className="nc-button nc-button-primary nc-button-block" data-testid="cart-checkout">
          {messages.checkout}
        </button>
      </form>
    );
  }
  if (!checkoutHref) return null;
  return (
    <Link href={checkoutHref} className="nc-button nc-button-primary nc-button-block" data-testid="cart-checkout">
      {messages.checkout}
    </Link>
  );
}

// Subtotal, shipping note, "Continue shopping" and "Clear cart".
export function CartSummary({ shopHref = "/", returnTo = "/cart", children, className, checkoutHref, checkoutAction }: CartSummaryProps) {
  const { cart, actions, messages, submitForm } = useCart();
  return (
    <aside className={cx("nc nc-summary", className)} aria-label={messages.summaryLabel}>
      <h2 className="nc-summary-title">{messages.summary}</h2>
      <dl className="nc-summary-rows">
        <div className="nc-summary-row">
          <dt className="nc-summary-term">
            {messages.subtotal} <span className="nc-muted">({itemCountText(cart.itemCount, messages)})</span>
          </dt>
          <dd className="nc-summary-value nc-summary-total" data-testid="cart-subtotal">
            {formatMoney(cart.subtotal, cart.currency)}
          </dd>
        </div>
        <div className="nc-summary-row nc-muted">
          <dt className="nc-summary-term">{messages.shipping}</dt>
          <dd className="nc-summary-value">{messages.shippingLater}</dd>
        </div>
      </dl>
      <CheckoutButton checkoutHref={checkoutHref} checkoutAction={checkoutAction} returnTo={returnTo} />
      {children}
      {shopHref === null ? null : (
        <Link href={shopHref} className="nc-button nc-button-secondary nc-button-block">
          {messages.continueShopping}
        </Link>
      )}
      <form
        action={formAction(actions.clear)}
        className="nc-clear"
        onSubmit={(event) => submitForm(event, actions.clear, () => ({ op: { type: "clear" }, success: messages.cleared }), { key: "clear" })}
      >
        <input type="hidden" name="returnTo" value={returnTo} />
        <IdempotencyField />
        <button type="submit" className="nc-link-button nc-link-button-danger" data-testid="cart-clear">
          {messages.clearCart}
        </button>
      </form>
    </aside>
  );
}
