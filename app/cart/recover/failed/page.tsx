import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Cart link" };

const explanations: Record<string, { title: string; body: string }> = {
  expired: {
    title: "This cart link has expired",
    body: "Cart links work for a limited time. Create a new one from the cart you want to bring over.",
  },
  unavailable: {
    title: "We couldn't restore the cart just now",
    body: "Something on our side was briefly unavailable. Please open the link again in a moment.",
  },
  used_up: {
    title: "This link has been used too many times",
    body: "A cart link can add its items to a few carts only. Ask for a new link from the cart you want to bring over.",
  },
  busy: {
    title: "Too many tries just now",
    body: "This cart link was opened too often in the last minute. Please wait a minute and try again.",
  },
  invalid: {
    title: "This cart link is not valid",
    body: "The link may be incomplete or altered. Copy the whole link again, or create a new one from the cart you want to bring over.",
  },
};

export default async function RecoveryFailedPage({ searchParams }: { searchParams: Promise<{ reason?: string | string[] }> }) {
  const { reason } = await searchParams;
  const key = typeof reason === "string" && Object.hasOwn(explanations, reason) ? reason : "invalid";
  const text = explanations[key]!;
  return (
    <div className="container">
      <section className="message-page" aria-labelledby="recover-failed-title" data-testid="recover-failed" data-reason={key}>
        <p className="eyebrow">Cart link</p>
        <h1 id="recover-failed-title">{text.title}</h1>
        <p className="muted">{text.body}</p>
        <div className="button-row">
          <Link href="/cart" className="button button-primary">
            Go to your cart
          </Link>
          <Link href="/" className="button button-secondary">
            Keep shopping
          </Link>
        </div>
      </section>
    </div>
  );
}
