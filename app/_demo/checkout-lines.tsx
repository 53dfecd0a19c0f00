import { LineProperties, formatMoney } from "next-cart/react";
import type { CheckoutView } from "next-cart/server";

// A checkout's lines as the review and confirmation pages show them: name, quantity, the
// shopper's choices (an engraving) and the line's total at the quoted price.
export function CheckoutLines({ checkout, lineTestId }: { checkout: CheckoutView; lineTestId: string }) {
  return (
    <ul className="checkout-lines">
      {checkout.lines.map((line) => (
        <li key={line.lineId} className="checkout-line" data-testid={lineTestId} data-line-id={line.lineId}>
          <div>
            <p className="checkout-line-name">
              {line.name} <span className="muted">× {line.quantity}</span>
            </p>
            <LineProperties properties={line.properties} />
          </div>
          <p className="checkout-line-total">{formatMoney(line.lineTotal, checkout.currency)}</p>
        </li>
      ))}
    </ul>
  );
}
