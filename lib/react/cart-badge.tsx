"use client";

import Link from "next/link";
import { useCart } from "./cart-provider";
import { cx } from "./class-names";
import { fillMessage, itemCountText } from "./messages";

// The header's cart link with its item-count badge ("Cart, 3 items").
export function CartBadge({ href = "/cart", className }: { href?: string; className?: string }) {
  const { cart, isPending, messages } = useCart();
  const count = cart.itemCount;
  return (
    <Link
      href={href}
      className={cx("nc nc-badge-link", className)}
      aria-label={fillMessage(messages.cartLabel, { count: itemCountText(count, messages) })}
      data-testid="cart-link"
      data-pending={isPending ? "true" : undefined}
    >
      <svg className="nc-badge-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
        <path
          d="M3 4h2l2.2 10.4a2 2 0 0 0 2 1.6h7.6a2 2 0 0 0 2-1.5L20.5 8H6.2"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
        <circle cx="10" cy="20" r="1.4" fill="currentColor" />
        <circle cx="17" cy="20" r="1.4" fill="currentColor" />
      </svg>
      <span className="nc-badge-label" aria-hidden="true">
        {messages.cart}
      </span>
      <span className="nc-badge-count" data-testid="cart-count" data-empty={count === 0 ? "true" : undefined} aria-hidden="true">
        {count > 99 ? "99+" : count}
      </span>
    </Link>
  );
}
