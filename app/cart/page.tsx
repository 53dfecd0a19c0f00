import type { Metadata } from "next";
import Link from "next/link";
import { startCheckoutAction } from "@/app/actions/checkout";
import { cart } from "@/app/_demo/cart";
import { CartNote, CartView, RecoveryLinkSection, cartErrorFromSearchParams } from "next-cart/react";

export const metadata: Metadata = { title: "Your cart" };

interface CartPageProps {
  searchParams: Promise<{ cartError?: string | string[]; restored?: string | string[] }>;
}

const restoredNotices: Record<string, { tone: string; title: string; body: string }> = {
  "1": { tone: "notice-success", title: "Your saved cart is here.", body: "We added the items from your link to this cart." },
  again: { tone: "notice-info", title: "Already in this cart.", body: "The items from this link were added to this cart before, so nothing changed." },
  none: { tone: "notice-info", title: "Nothing was added.", body: "The items from your link are no longer sold." },
};

export default async function CartPage({ searchParams }: CartPageProps) {
  const query = await searchParams;
  const errorCode = cartErrorFromSearchParams(query.cartError);
  // /cart/recover/confirm redirects here after restoring a recovery link (1), or finding it
  // already restored into this cart (again), or finding none of its products still sold (none).
  const restored = typeof query.restored === "string" && Object.hasOwn(restoredNotices, query.restored) ? (restoredNotices[query.restored] ?? null) : null;
  const { user } = await cart.getSessionForRender();
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
        <p className={`notice ${restored.tone} page-notice`} data-testid="cart-restored">
          <strong>{restored.title}</strong> {restored.body}
        </p>
      ) : null}
      {/* The layout's banner shows the one-time "merged" notice after sign-in. */}
      <CartView
        errorCode={errorCode}
        returnTo="/cart"
        showMergedNotice={false}
        aside={
          <>
            <CartNote returnTo="/cart" />
            <RecoveryLinkSection />
          </>
        }
        checkoutAction={startCheckoutAction}
      />
    </div>
  );
}
