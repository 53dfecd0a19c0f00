"use client";

import Link from "next/link";
import { formatItemCount } from "./format";
import { useCart } from "./cart-provider";

/** The header's cart link with its item-count badge ("Cart, 3 items"). */
export function CartCount({ href = "/cart" }: { href?: string }) {
  const { cart, isPending } = useCart();
  const count = cart.itemCount;
  return (
    <Link
      href={href}
      className="cart-link"
      aria-label={`Cart, ${formatItemCount(count)}`}
      data-testid="cart-link"
      data-pending={isPending ? "true" : undefined}
    >
      <svg className="cart-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
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
      <span className="cart-link-label" aria-hidden="true">
        Cart
      </span>
      <span className="cart-badge" data-testid="cart-count" data-empty={count === 0 ? "true" : undefined} aria-hidden="true">
        {count > 99 ? "99+" : count}
      </span>
    </Link>
  );
}
