import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import { formatItemCount, formatMoney } from "next-cart/react";
import { cart } from "@/app/_demo/cart";

// The token is in this page's URL: no Referer to other sites. (Not "no-referrer": that makes
// the browser send `Origin: null` with the form's POST, which the origin check refuses.)
export const metadata: Metadata = { title: "Cart link", referrer: "same-origin" };
export const dynamic = "force-dynamic";

// GET /cart/recover?token=… — shows what a recovery link would add and
// changes nothing (mail scanners and other sites send this request too).
// The button is a plain form posting the token to /cart/recover/confirm.
export default async function RecoverPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const caller = { cookie: (await cookies()).get(cart.recovery.cookieName())?.value, headers: await headers() };
  const opened = await cart.withRenderContext(() => cart.recovery.open(typeof token === "string" ? token : null, caller));
  if (!opened.ok) redirect(cart.recovery.failedPath(opened.reason));
  const { preview } = opened;
  const available = preview.lines.filter((l) => l.available);
  const summary = available.map((l) => `${l.name} × ${l.quantity}`).join(", ");

  return (
    <div className="container">
      <section className="message-page recover-page" aria-labelledby="recover-title" data-testid="recover-preview">
        <p className="eyebrow">Cart link</p>
        <h1 id="recover-title">{available.length > 0 ? "Add these items to your cart?" : "Nothing here can be added"}</h1>
        <p className="muted" data-testid="recover-summary">
          {available.length > 0
            ? `${formatItemCount(preview.itemCount)}: ${summary}`
            : "The items this link was made with are no longer sold."}
        </p>
        <ul className="recover-lines">
          {preview.lines.map((line) => (
            <li key={line.productId} className="recover-line" data-testid="recover-line" data-product-id={line.productId} data-available={line.available}>
              <span className="recover-line-name">{line.name}</span> <span className="recover-line-quantity">× {line.quantity}</span>{" "}
              <span className="muted">
                {line.available ? formatMoney(line.unitPrice * line.quantity, preview.currency) : "no longer available, not added"}
              </span>
            </li>
          ))}
        </ul>
        {available.length > 0 ? (
          <form method="post" action="/cart/recover/confirm" className="button-row">
            <input type="hidden" name="token" value={token} />
            <button type="submit" className="button button-primary" data-testid="recover-confirm">
              Add to my cart
            </button>
            <Link href="/" className="button button-secondary">
              Not now
            </Link>
          </form>
        ) : (
          <div className="button-row">
            <Link href="/" className="button button-secondary">
              Keep shopping
            </Link>
          </div>
        )}
        <p className="muted recover-note">
          Nothing is added until you press the button. Items are added at today&apos;s prices to the cart of this browser.
        </p>
      </section>
    </div>
  );
}
