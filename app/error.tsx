"use client";

import Link from "next/link";

// Shown when a page fails to render. Never shows the error itself: only a way forward.
export default function ErrorPage({ retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="container">
      <section className="message-page" aria-labelledby="error-title" role="alert">
        <p className="eyebrow">Something went wrong</p>
        <h1 id="error-title">We couldn&apos;t load this page</h1>
        <p className="muted">It&apos;s probably temporary. Please try again in a moment.</p>
        <div className="button-row">
          <button type="button" className="button button-primary" onClick={() => retry()}>
            Try again
          </button>
          <Link href="/" className="button button-secondary">
            Back to the shop
          </Link>
        </div>
      </section>
    </div>
  );
}
