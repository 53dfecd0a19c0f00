"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useLayoutEffect, useRef, type KeyboardEvent } from "react";
import { useCart, useHydrated } from "./cart-provider";
import { CartBadge } from "./cart-badge";
import { CartLines } from "./cart-lines";
import { CartSummary, type CheckoutAction } from "./cart-summary";
import { cx } from "./class-names";

export interface CartDrawerProps {
  // Open when the shopper adds something (default), or only through the trigger / openDrawer().
  openOnAdd?: boolean;
  // Render a CartBadge that opens the drawer (a plain link to the cart without JavaScript).
  withTrigger?: boolean;
  cartHref?: string;
  className?: string;
  // The host's checkout (see CartSummary): a page, or a server action that starts it.
  checkoutHref?: string;
  checkoutAction?: CheckoutAction;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

// The cart as a modal side panel: opens on add, moves focus in, keeps Tab
// inside, closes on Escape or the backdrop and gives focus back to where it
// was. It exists only with JavaScript; without it the trigger is a link to
// the cart page and adds land back on their page.
export function CartDrawer({ openOnAdd = true, withTrigger = false, cartHref = "/cart", className, checkoutHref, checkoutAction }: CartDrawerProps) {
  const { cart, drawer, openDrawer, closeDrawer, messages } = useCart();
  const hydrated = useHydrated();
  const pathname = usePathname() ?? cartHref;
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const open = hydrated && drawer !== null && (openOnAdd || drawer !== "add");

  useLayoutEffect(() => {
    if (!open) return;
    const active = document.activeElement;
    returnFocus.current = active instanceof HTMLElement && !panel.current?.contains(active) ? active : null;
    panel.current?.querySelector<HTMLElement>("[data-drawer-close]")?.focus();
    return () => {
      const target = returnFocus.current;
      if (target?.isConnected) target.focus();
    };
  }, [open]);

  // Leaving the page (a link inside the drawer) closes it.
  useEffect(() => closeDrawer, [pathname, closeDrawer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      closeDrawer();
      return;
    }
    if (event.key !== "Tab" || !panel.current) return;
    const focusable = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  const trigger = withTrigger ? (
    <span
      className="nc-drawer-trigger"
      onClickCapture={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        openDrawer("shopper");
      }}
    >
      <CartBadge href={cartHref} />
    </span>
  ) : null;

  if (!open) return trigger;

  return (
    <>
      {trigger}
      <div className="nc nc-drawer-backdrop" onClick={closeDrawer} data-testid="cart-drawer-backdrop" />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className={cx("nc nc-drawer", className)}
        onKeyDown={onKeyDown}
        data-testid="cart-drawer"
      >
        <div className="nc-drawer-head">
          <h2 id={titleId} className="nc-drawer-title">
            {messages.drawerTitle}
          </h2>
          <button type="button" className="nc-drawer-close" aria-label={messages.drawerClose} onClick={closeDrawer} data-drawer-close data-testid="cart-drawer-close">
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
              <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        </div>
        <div className="nc-drawer-body">
          {cart.items.length === 0 ? (
            <p className="nc-empty-title nc-drawer-empty">{messages.emptyTitle}</p>
          ) : (
            <CartLines returnTo={pathname} className="nc-lines-compact" />
          )}
        </div>
        {cart.items.length === 0 ? null : (
          <CartSummary shopHref={null} returnTo={pathname} className="nc-drawer-summary" checkoutHref={checkoutHref} checkoutAction={checkoutAction}>
            <Link href={cartHref} className="nc-button nc-button-primary nc-button-block" data-testid="cart-drawer-view">
              {messages.viewCart}
            </Link>
          </CartSummary>
        )}
      </div>
    </>
  );
}
