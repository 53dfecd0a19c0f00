import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Cart link" };

const explanations: Record<string, { title: string; body: string }> = {
  expired: {
    title: "This cart link has expired",
    body: "Recovery links work for a limited time. Ask for a new one from the cart you want to bring over.",
  },
  unavailable: {
    title: "We could not restore the cart just now",
    body: "Something on our side was briefly unavailable. Please open the link again in a moment.",
  },
  invalid: {
    title: "This cart link is not valid",
    body: "The link may be incomplete or altered. Copy the whole link again, or ask for a new one.",
  },
};

export default async function RecoveryFailedPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  const text = explanations[reason ?? ""] ?? explanations.invalid!;
  return (
    <section className="container narrow">
      <h1>{text.title}</h1>
      <p>{text.body}</p>
      <p>
        <Link href="/cart">Go to your cart</Link> · <Link href="/">Keep shopping</Link>
      </p>
    </section>
  );
}
