"use client";

import Link from "next/link";
import { useId, type ReactNode } from "react";
import type { CartLineView, CartNotice, CartView as Cart } from "../cart/types";
import { formAction, useCart, type CartIntent } from "./cart-provider";
import { formatItemCount, formatMoney } from "./format";
import { cartErrorMessage, mergedNoticeText, type CartErrorCode } from "./messages";
import { IdempotencyField } from "./idempotency-field";

export interface CartViewProps {
  /** An error code from `?cartError=` (a post without JavaScript came back with it). */
  errorCode?: CartErrorCode | null;
  /** Where posts without JavaScript land afterwards. */
  returnTo?: string;
  /** Where "Continue shopping" goes. */
  shopHref?: string;
  /** Link to a product page from its slug. */
  productHref?: (slug: string) => string;
  /**
   * Show the one-time "merged" notice in the list of notices. Turn it off
   * when a <MergedBanner> on the same page already shows it.
   */
  showMergedNotice?: boolean;
  /** Shown below the order summary (e.g. <RecoveryLinkSection>), when the cart has items. */
  aside?: ReactNode;
}

/** A quantity typed by the shopper: a whole number, or null. */
function parseQuantity(value: FormDataEntryValue | null): number | null {
  if (typeof value !== "string" || !/^\d{1,6}$/.test(value.trim())) return null;
  return Number(value.trim());
}

function noticeText(notice: CartNotice, cart: Cart): string {
  const lineName = (productId: string) => cart.items.find((line) => line.productId === productId)?.name;
  switch (notice.type) {
    case "merged":
      return mergedNoticeText(notice.message);
    case "price_changed": {
      const name = lineName(notice.productId) ?? "An item";
      const direction = notice.to < notice.from ? "dropped" : "changed";
      return `The price of ${name} ${direction} from ${formatMoney(notice.from, cart.currency)} to ${formatMoney(notice.to, cart.currency)}.`;
    }
    case "unavailable": {
      const name = lineName(notice.productId);
      return name
        ? `${name} is no longer available and isn't included in your subtotal.`
        : notice.message || "An item in your cart is no longer available.";
    }
    case "quantity_capped": {
      const name = lineName(notice.productId) ?? "An item";
      return `We reduced ${name} from ${notice.from} to ${notice.to}, the most we can sell on one line.`;
    }
  }
}

/** Good news (a merge, a lower price) is informational; the rest needs the shopper's attention. */
function noticeTone(notice: CartNotice): "info" | "warning" {
  if (notice.type === "merged") return "info";
  if (notice.type === "price_changed" && notice.to < notice.from) return "info";
  return "warning";
}

function Notices({ cart, showMerged }: { cart: Cart; showMerged: boolean }) {
  const notices = showMerged ? cart.notices : cart.notices.filter((notice) => notice.type !== "merged");
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-label="Changes to your cart" data-testid="cart-notices">
      {notices.map((notice, index) => (
        <li
          key={`${notice.type}-${"productId" in notice ? notice.productId : index}`}
          className={`notice notice-${noticeTone(notice)}`}
          data-testid="cart-notice"
          data-notice-type={notice.type}
        >
          {noticeText(notice, cart)}
        </li>
      ))}
    </ul>
  );
}

function CartLineRow({
  line,
  currency,
  returnTo,
  productHref,
}: {
  line: CartLineView;
  currency: string;
  returnTo: string;
  productHref: (slug: string) => string;
}) {
  const { actions, limits, submitForm } = useCart();
  const updateFormId = useId();
  const inputId = useId();

  const setQuantityIntent =
    (fixed?: number) =>
    (data: FormData): CartIntent | null => {
      const quantity = fixed ?? parseQuantity(data.get("quantity"));
      if (quantity === null || quantity > limits.maxQuantity) return null;
      return {
        op: { type: "set", productId: line.productId, quantity },
        success: quantity === 0 ? `Removed ${line.name} from your cart` : `${line.name}: quantity is now ${quantity}`,
      };
    };

  const hidden = (
    <>
      <input type="hidden" name="productId" value={line.productId} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <IdempotencyField />
    </>
  );

  const priceChanged = line.available && line.unitPrice !== line.addedUnitPrice;

  return (
    <li
      className="cart-line"
      data-testid="cart-line"
      data-product-id={line.productId}
      data-available={line.available ? "true" : "false"}
    >
      {/* eslint-disable-next-line @next/next/no-img-element -- small local SVGs need no optimisation */}
      <img className="cart-line-image" src={line.image} alt="" width={96} height={96} />
      <div className="cart-line-info">
        <Link href={productHref(line.slug)} className="cart-line-name" data-testid="line-name">
          {line.name}
        </Link>
        <p className="muted">
          {formatMoney(line.unitPrice, currency)} each
          {priceChanged ? (
            <span className="price-was">
              {" "}
              (was <s>{formatMoney(line.addedUnitPrice, currency)}</s>)
            </span>
          ) : null}
        </p>
        {line.available ? null : (
          <p className="badge badge-muted" data-testid="line-unavailable">
            No longer available
          </p>
        )}
      </div>

      <div className="cart-line-controls">
        {line.available ? (
          <div className="stepper" role="group" aria-label={`Quantity of ${line.name}`}>
            <form
              action={formAction(actions.setQuantity)}
              onSubmit={(event) => submitForm(event, actions.setQuantity, setQuantityIntent(line.quantity - 1))}
            >
              {hidden}
              <input type="hidden" name="quantity" value={line.quantity - 1} />
              <button
                type="submit"
                className="stepper-button"
                aria-label={line.quantity === 1 ? `Remove ${line.name}` : `Decrease quantity of ${line.name}`}
                data-testid="line-decrease"
              >
                <span aria-hidden="true">−</span>
              </button>
            </form>
            <label htmlFor={inputId} className="visually-hidden">
              Quantity of {line.name}
            </label>
            <input
              key={line.quantity}
              id={inputId}
              form={updateFormId}
              className="stepper-input"
              type="number"
              name="quantity"
              inputMode="numeric"
              min={0}
              max={limits.maxQuantity}
              step={1}
              required
              defaultValue={line.quantity}
              data-testid="line-quantity"
            />
            <form
              action={formAction(actions.setQuantity)}
              onSubmit={(event) => submitForm(event, actions.setQuantity, setQuantityIntent(line.quantity + 1))}
            >
              {hidden}
              <input type="hidden" name="quantity" value={line.quantity + 1} />
              <button
                type="submit"
                className="stepper-button"
                aria-label={`Increase quantity of ${line.name}`}
                disabled={line.quantity >= limits.maxQuantity}
                data-testid="line-increase"
              >
                <span aria-hidden="true">+</span>
              </button>
            </form>
          </div>
        ) : (
          <p className="muted" data-testid="line-quantity">
            Qty {line.quantity}
          </p>
        )}
        <div className="cart-line-actions">
          {line.available ? (
            <form
              id={updateFormId}
              action={formAction(actions.setQuantity)}
              onSubmit={(event) => submitForm(event, actions.setQuantity, setQuantityIntent())}
            >
              {hidden}
              <button type="submit" className="link-button" data-testid="line-update">
                Update<span className="visually-hidden"> quantity of {line.name}</span>
              </button>
            </form>
          ) : null}
          <form
            action={formAction(actions.remove)}
            onSubmit={(event) =>
              submitForm(event, actions.remove, () => ({
                op: { type: "remove", productId: line.productId },
                success: `Removed ${line.name} from your cart`,
              }))
            }
          >
            {hidden}
            <button type="submit" className="link-button link-button-danger" data-testid="line-remove">
              Remove<span className="visually-hidden"> {line.name}</span>
            </button>
          </form>
        </div>
      </div>

      <p className="cart-line-total" data-testid="line-total">
        {line.available ? formatMoney(line.lineTotal, currency) : <span className="muted">Not included</span>}
      </p>
    </li>
  );
}

/** The cart: lines with quantity controls, notices, subtotal and "Clear cart". */
export function CartView({
  errorCode = null,
  returnTo = "/cart",
  shopHref = "/",
  productHref = (slug) => `/products/${slug}`,
  showMergedNotice = true,
  aside,
}: CartViewProps) {
  const { cart, isPending, actions, submitForm } = useCart();
  const headingId = useId();

  const error = errorCode ? (
    <p className="alert alert-error" role="alert" data-testid="cart-error">
      {cartErrorMessage(errorCode)}
    </p>
  ) : null;

  if (cart.items.length === 0) {
    return (
      <div className="cart-empty" data-testid="cart-empty">
        {error}
        <Notices cart={cart} showMerged={showMergedNotice} />
        <p className="cart-empty-title">Your cart is empty.</p>
        <p className="muted">Good things are waiting in the shop.</p>
        <Link href={shopHref} className="button button-primary">
          Browse the shop
        </Link>
      </div>
    );
  }

  return (
    <div className="cart-layout" aria-busy={isPending} data-pending={isPending ? "true" : undefined}>
      <section aria-labelledby={headingId} className="cart-main">
        <h2 id={headingId} className="visually-hidden">
          Items in your cart
        </h2>
        {error}
        <Notices cart={cart} showMerged={showMergedNotice} />
        <ul className="cart-lines">
          {cart.items.map((line) => (
            <CartLineRow
              key={line.productId}
              line={line}
              currency={cart.currency}
              returnTo={returnTo}
              productHref={productHref}
            />
          ))}
        </ul>
      </section>

      <div className="cart-side">
        <aside className="cart-summary" aria-label="Order summary">
          <h2 className="cart-summary-title">Summary</h2>
          <dl className="summary-rows">
            <div className="summary-row">
              <dt>
                Subtotal <span className="muted">({formatItemCount(cart.itemCount)})</span>
              </dt>
              <dd data-testid="cart-subtotal">{formatMoney(cart.subtotal, cart.currency)}</dd>
            </div>
            <div className="summary-row muted">
              <dt>Shipping</dt>
              <dd>Calculated at checkout</dd>
            </div>
          </dl>
          <Link href={shopHref} className="button button-secondary button-block">
            Continue shopping
          </Link>
          <form
            action={formAction(actions.clear)}
            className="clear-cart"
            onSubmit={(event) =>
              submitForm(event, actions.clear, () => ({ op: { type: "clear" }, success: "Your cart is now empty" }))
            }
          >
            <input type="hidden" name="returnTo" value={returnTo} />
            <IdempotencyField />
            <button type="submit" className="link-button link-button-danger" data-testid="cart-clear">
              Clear cart
            </button>
          </form>
        </aside>
        {aside}
      </div>
    </div>
  );
}
