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
}

// Subtotal, shipping note, "Continue shopping" and "Clear cart".
export function CartSummary({ shopHref = "/", returnTo = "/cart", children, className }: CartSummaryProps) {
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
