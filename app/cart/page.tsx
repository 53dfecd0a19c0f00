import type { Metadata } from "next";
import Link from "next/link";
import { getSessionForRender } from "@/lib/cart/read";
import { CartView, RecoveryLinkSection, cartErrorFromSearchParams } from "@/lib/components";

export const metadata: Metadata = { title: "Your cart" };

interface CartPageProps {
  searchParams: Promise<{ cartError?: string | string[]; restored?: string | string[] }>;
}

export default async function CartPage({ searchParams }: CartPageProps) {
  const query = await searchParams;
  const errorCode = cartErrorFromSearchParams(query.cartError);
  // /cart/recover redirects here after a recovery link added its items.
  const restored = query.restored === "1";
  const { user } = await getSessionForRender();
  return (
    <div className="container">
      <div className="page-head">
        <h1 className="page-title">Your cart</h1>
        {user ? (
          <p className="muted page-head-note" data-testid="cart-owner">
            Saved to your account{user.email ? <> (<span className="page-head-email">{user.email}</span>)</> : null}, on every device
            you sign in on.
          </p>
        ) : (
          <p className="muted page-head-note">
            <Link href="/signin">Sign in</Link> to keep your cart on every device.
          </p>
        )}
      </div>
      {restored ? (
        <p className="notice notice-success page-notice" data-testid="cart-restored">
          <strong>Your saved cart is here.</strong> We added the items from your link to this cart.
        </p>
      ) : null}
      {/* The layout's banner shows the one-time "merged" notice after sign-in. */}
      <CartView errorCode={errorCode} returnTo="/cart" showMergedNotice={false} aside={<RecoveryLinkSection />} />
    </div>
  );
}
