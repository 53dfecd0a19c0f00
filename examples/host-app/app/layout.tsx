import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { CartBadge, CartProvider, MergedBanner } from "next-cart/react";
import "next-cart/react/styles.css";
import { addToCartAction, clearCartAction, removeFromCartAction, setQuantityAction } from "@/app/actions/cart";
import { signInAsAda, signOut } from "@/app/actions/account";
import { cart } from "@/lib/cart";
import "./globals.css";

export const metadata: Metadata = { title: "Host app · next-cart example" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Not awaited: the provider resolves it, so the read starts early.
  const cartPromise = cart.getCartForRender();
  const { user } = await cart.getSessionForRender();

  return (
    <html lang="en">
      <body>
        {/* Keyed by who is shopping: signing in or out swaps the cart outright. */}
        <CartProvider
          key={user?.id ?? "guest"}
          cartPromise={cartPromise}
          limits={cart.limits}
          actions={{ add: addToCartAction, setQuantity: setQuantityAction, remove: removeFromCartAction, clear: clearCartAction }}
        >
          <header className="header">
            <Link href="/">Host shop</Link>
            <nav aria-label="Main">
              {user ? (
                <form action={signOut}>
                  <span data-testid="signed-in-as">{user.email}</span> <button type="submit">Sign out</button>
                </form>
              ) : (
                <form action={signInAsAda}>
                  <button type="submit">Sign in as Ada</button>
                </form>
              )}
              <CartBadge />
            </nav>
          </header>
          <MergedBanner />
          <main id="main">{children}</main>
        </CartProvider>
      </body>
    </html>
  );
}
