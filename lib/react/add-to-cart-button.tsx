"use client";

import { useId } from "react";
import { useFormStatus } from "react-dom";
import { formAction, useCart } from "./cart-provider";
import { IdempotencyField } from "./idempotency-field";

export interface AddToCartButtonProps {
  productId: string;
  /** Shown optimistically until the server answers, and in the announcement. */
  name: string;
  /** Current catalog price in minor units (display only; the server prices the line). */
  unitPrice: number;
  slug: string;
  image: string;
  /** Where a post without JavaScript lands afterwards: the current path. */
  returnTo: string;
  /** Show a quantity select (1…maxSelectable) next to the button. */
  withQuantity?: boolean;
  maxSelectable?: number;
  label?: string;
  className?: string;
}

function SubmitButton({ label, productName, className }: { label: string; productName: string; className: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={className} data-testid="add-to-cart" data-pending={pending ? "true" : undefined}>
      {label}
      <span className="visually-hidden">: {productName}</span>
    </button>
  );
}

export function AddToCartButton({
  productId,
  name,
  unitPrice,
  slug,
  image,
  returnTo,
  withQuantity = false,
  maxSelectable = 10,
  label = "Add to cart",
  className,
}: AddToCartButtonProps) {
  const { actions, submitForm } = useCart();
  const selectId = useId();

  return (
    <form
      action={formAction(actions.add)}
      className={["add-to-cart", className].filter(Boolean).join(" ")}
      onSubmit={(event) =>
        submitForm(event, actions.add, (data) => {
          const quantity = Number(data.get("quantity") ?? "1");
          if (!Number.isInteger(quantity) || quantity < 1) return null;
          return {
            op: { type: "add", productId, quantity, product: { name, unitPrice, slug, image } },
            success: quantity === 1 ? `Added ${name} to your cart` : `Added ${quantity} × ${name} to your cart`,
          };
        })
      }
    >
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <IdempotencyField />
      {withQuantity ? (
        <div className="field field-inline">
          <label htmlFor={selectId}>Quantity</label>
          <select id={selectId} name="quantity" defaultValue="1" className="select" data-testid="add-quantity">
            {Array.from({ length: maxSelectable }, (_, i) => i + 1).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <input type="hidden" name="quantity" value="1" />
      )}
      <SubmitButton label={label} productName={name} className="button button-primary" />
    </form>
  );
}
