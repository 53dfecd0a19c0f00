import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/actions/auth";
import { addToCartAction, clearCartAction, removeFromCartAction, setCartNoteAction, setQuantityAction } from "@/app/actions/cart";
import { startCheckoutAction } from "@/app/actions/checkout";
import { cart } from "@/app/_demo/cart";
import { AccountNav, CartBadge, CartDrawer, CartProvider, MergedBanner } from "next-cart/react";
import "next-cart/react/styles.css";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Northwind Supply", template: "%s · Northwind Supply" },
  description: "Everyday clothing and home goods, made to last.",
};

export const viewport: Viewport = {
  themeColor: "#1f3a34",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Not awaited: the provider resolves it, so the read starts as early as possible.
  const cartPromise = cart.getCartForRender();
  // Both reads share one session lookup (React cache).
  const { user } = await cart.getSessionForRender();

  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        {/* Keyed by who is shopping: signing in or out swaps the cart outright, never merges client state. */}
        <CartProvider
          key={user?.id ?? "guest"}
          cartPromise={cartPromise}
          limits={cart.limits}
          signedIn={user !== null && user !== undefined}
          actions={{
            add: addToCartAction,
            setQuantity: setQuantityAction,
            remove: removeFromCartAction,
            clear: clearCartAction,
            note: setCartNoteAction,
          }}
        >
          <header className="site-header">
            <div className="container site-header-inner">
              <Link href="/" className="brand">
                <svg className="brand-mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
                  <rect width="32" height="32" rx="8" fill="currentColor" />
                  <path d="M9 22V10l14 12V10" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
                </svg>
                <span>Northwind Supply</span>
              </Link>
              <nav aria-label="Main" className="site-nav">
                <Link href="/" className="nav-link nav-shop">
                  Shop
                </Link>
                <AccountNav user={user} signOutAction={signOutAction} />
                <CartBadge />
              </nav>
            </div>
          </header>
          <CartDrawer checkoutAction={startCheckoutAction} />
          <MergedBanner />
          <main id="main" className="site-main" tabIndex={-1}>
            {children}
          </main>
          <footer className="site-footer">
            <div className="container site-footer-inner">
              <p>© Northwind Supply. Made to last, priced fairly.</p>
              <p className="muted">Free returns within 30 days.</p>
            </div>
          </footer>
        </CartProvider>
      </body>
    </html>
  );
}
