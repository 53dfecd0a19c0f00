import Link from "next/link";

export default function NotFound() {
  return (
    <div className="container">
      <section className="message-page" aria-labelledby="not-found-title">
        <p className="eyebrow">404</p>
        <h1 id="not-found-title">We couldn&apos;t find that page</h1>
        <p className="muted">The product may have moved, or the link may be mistyped.</p>
        <Link href="/" className="button button-primary">
          Back to the shop
        </Link>
      </section>
    </div>
  );
}
