"use client";

import Link from "next/link";
import type { CartLineView } from "../cart/types";
import { useCart } from "./cart-provider";
import { cx } from "./class-names";
import { formatMoney } from "./format";
import { fillMessage } from "./messages";
import { QuantityControl } from "./quantity-control";

export interface CartLinesProps {
  // Where posts without JavaScript land afterwards.
  returnTo?: string;
  className?: string;
}

// What the shopper chose for the line (an engraving), under its name; nothing when none.
export function LineProperties({ properties, className }: { properties: Record<string, string> | undefined; className?: string }) {
  const entries = Object.entries(properties ?? {});
  if (entries.length === 0) return null;
  return (
    <dl className={cx("nc-line-properties", className)} data-testid="line-properties">
      {entries.map(([key, value]) => (
        <div key={key} className="nc-line-property">
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

// A line's product link comes from one place (useCart().productLink: the catalog's href, else
// the provider's productHref(line), else none) and is never prefetched: a drawer of many
// lines must not fetch many pages, and a link the host did not give is never made.
function CartLineRow({ line, currency, returnTo, withImages }: { line: CartLineView; currency: string; returnTo: string; withImages: boolean }) {
  const { messages, productLink } = useCart();
  const priceChanged = line.available && line.unitPrice !== line.addedUnitPrice;
  const href = productLink(line);
  return (
    <li
      className="nc-line"
      data-testid="cart-line"
      data-product-id={line.productId}
      data-line-id={line.lineId ?? line.productId}
      data-available={line.available ? "true" : "false"}>
      {!withImages ? null : line.image ? (
        // eslint-disable-next-line @next/next/no-img-element -- the catalog's own images; no optimiser is assumed
        <img className="nc-line-image" src={line.image} alt="" width={96} height={96} />
      ) : (
        // One line without an image among lines with images: the same space, no broken image.
        <span className="nc-line-image" aria-hidden="true" />
      )}
      <div className="nc-line-info">
        {href ? (
          <Link href={href} prefetch={false} className="nc-line-name" data-testid="line-name">
            {line.name}
          </Link>
        ) : (
          <span className="nc-line-name" data-testid="line-name">
            {line.name}
          </span>
        )}
        <LineProperties properties={line.properties} />
        <p className="nc-muted nc-line-price">
          {fillMessage(messages.each, { price: formatMoney(line.unitPrice, currency) })}
          {priceChanged ? (
            <span className="nc-price-was">
              {" "}
              ({messages.was} <s className="nc-price-was-amount">{formatMoney(line.addedUnitPrice, currency)}</s>)
            </span>
          ) : null}
        </p>
        {line.available ? null : (
          <p className="nc-tag" data-testid="line-unavailable">
            {messages.unavailable}
          </p>
        )}
      </div>
      <QuantityControl line={line} returnTo={returnTo} />
      <p className="nc-line-total" data-testid="line-total">
        {line.available ? formatMoney(line.lineTotal, currency) : <span className="nc-muted">{messages.notIncluded}</span>}
      </p>
    </li>
  );
}

// The cart's lines, each with its quantity control.
// A catalog without images (no line has one) gets a layout without the image column.
export function CartLines({ returnTo = "/cart", className }: CartLinesProps) {
  const { cart } = useCart();
  const withImages = cart.items.some((line) => line.image !== "");
  return (
    <ul className={cx("nc nc-lines", className)} data-images={withImages ? undefined : "none"}>
      {cart.items.map((line) => (
        <CartLineRow key={line.lineId ?? line.productId} line={line} currency={cart.currency} returnTo={returnTo} withImages={withImages} />
      ))}
    </ul>
  );
}
