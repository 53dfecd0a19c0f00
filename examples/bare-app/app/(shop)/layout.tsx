import Link from "next/link";
import type { ReactNode } from "react";
import { CartBadge, MergedBanner } from "next-cart/react";
import { signInAsAda, signOut } from "@/app/actions/account";
import { cart } from "@/lib/cart";

// The shop's own header, inside the root layout's <CartRoot>, so the cart's components work here.
export default async function ShopLayout({ children }: { children: ReactNode }) {
  const { user } = await cart.getSessionForRender();
  return (
    <>
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
    </>
  );
}
