"use client";

import Link from "next/link";
import { useId, type ReactNode } from "react";
import { useCart } from "./cart-provider";
import { CartLines } from "./cart-lines";
import { CartNotices } from "./cart-notices";
import { CartSummary, type CheckoutAction } from "./cart-summary";
import { cx } from "./class-names";
import { cartErrorMessage, type CartErrorCode } from "./messages";

export interface CartViewProps {
  // An error code from `?cartError=` (a post without JavaScript came back with it).
  errorCode?: CartErrorCode | null;
  // Where posts without JavaScript land afterwards.
  returnTo?: string;
  // Where "Continue shopping" goes.
  shopHref?: string;
  // Show the one-time "merged" notice in the list of notices. Turn it off
  // when a <MergedBanner> on the same page already shows it.
  showMergedNotice?: boolean;
  // Shown below the order summary (e.g. <RecoveryLinkSection>), when the cart has items.
  aside?: ReactNode;
  className?: string;
  // The host's checkout (see CartSummary): a page, or a server action that starts it.
  checkoutHref?: string;
  checkoutAction?: CheckoutAction;
}

// The cart page's body: notices, CartLines and CartSummary, or the empty state.
export function CartView({
  errorCode = null,
  returnTo = "/cart",
  shopHref = "/",
  showMergedNotice = true,
  aside,
  className,
  checkoutHref,
  checkoutAction,
}: CartViewProps) {
  const { cart, isPending, messages } = useCart();
  const headingId = useId();

  const error = errorCode ? (
    <p className="nc-alert" role="alert" data-testid="cart-error">
      {cartErrorMessage(errorCode, messages)}
    </p>
  ) : null;

  if (cart.items.length === 0) {
    return (
      <div className={cx("nc nc-empty", className)} data-testid="cart-empty">
        {error}
        <CartNotices showMerged={showMergedNotice} />
        <p className="nc-empty-title">{messages.emptyTitle}</p>
        <p className="nc-muted">{messages.emptyBody}</p>
        <Link href={shopHref} className="nc-button nc-button-primary">
          {messages.browseShop}
        </Link>
      </div>
    );
  }

  return (
    <div className={cx("nc nc-cart", className)} aria-busy={isPending} data-pending={isPending ? "true" : undefined}>
      <section aria-labelledby={headingId} className="nc-cart-main">
        <h2 id={headingId} className="nc-visually-hidden">
          {messages.itemsHeading}
        </h2>
        {error}
        <CartNotices showMerged={showMergedNotice} />
        <CartLines returnTo={returnTo} />
      </section>
      <div className="nc-cart-side">
        <CartSummary shopHref={shopHref} returnTo={returnTo} checkoutHref={checkoutHref} checkoutAction={checkoutAction} />
        {aside}
      </div>
    </div>
  );
}
