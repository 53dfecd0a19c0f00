"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { useCart, useHydrated } from "./cart-provider";
import { cx } from "./class-names";
import { mergedNoticeText } from "./messages";

// A site-wide banner for the one-time "merged" notice: after signing in, the
// items a guest had are added to the account's cart, and whichever page the
// shopper lands on says so. Rendered from the provider's cart, so it is in
// the server's HTML (no JavaScript needed) and goes away with the notice.
export function MergedBanner({ cartHref = "/cart", className }: { cartHref?: string; className?: string }) {
  const { cart, messages } = useCart();
  const pathname = usePathname();
  const hydrated = useHydrated();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const merged = cart.notices.find((notice) => notice.type === "merged");
  if (!merged || dismissed === merged.message) return null;

  return (
    <section className={cx("nc nc-banner", className)} aria-labelledby="merged-banner-title" data-testid="merged-banner">
      <div className="nc-banner-inner">
        <svg className="nc-banner-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="12" r="10" fill="currentColor" />
          <path d="M7.5 12.5l3 3 6-6.5" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <div className="nc-banner-text">
          <p id="merged-banner-title" className="nc-banner-title">
            {messages.mergedTitle}
          </p>
          <p className="nc-banner-body" data-testid="merged-notice">
            {mergedNoticeText(merged.message, messages)}
            {pathname === cartHref ? null : (
              <>
                {" "}
                <Link href={cartHref} className="nc-banner-link">
                  {messages.viewYourCart}
                </Link>
              </>
            )}
          </p>
        </div>
        {/* Dismissing needs JavaScript; without it the banner simply goes with the next page. */}
        {hydrated ? (
          <button
            type="button"
            className="nc-banner-close"
            aria-label={messages.dismiss}
            onClick={() => setDismissed(merged.message)}
            data-testid="merged-banner-dismiss"
          >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
              <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        ) : null}
      </div>
    </section>
  );
}
