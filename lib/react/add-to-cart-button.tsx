"use client";

import { useId, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { formAction, useCart } from "./cart-provider";
import { cx } from "./class-names";
import { ControlNote } from "./control-note";
import { IdempotencyField } from "./idempotency-field";
import { fillMessage } from "./messages";

export interface AddToCartButtonProps {
  /** Required. The catalog's product id. */
  productId: string;
  /** Required. Shown optimistically until the server answers, and in the announcement. */
  name: string;
  /** Required. Current catalog price in minor units (display only; the server prices the line). */
  unitPrice: number;
  // For the optimistic line until the server answers (the server's line has the catalog's own).
  slug?: string;
  // Empty or absent for a catalog without images.
  image?: string;
  /** Required. Where a post without JavaScript lands afterwards: the current path. */
  returnTo: string;
  // Show a quantity select (1…maxSelectable, never above the server's per-line limit) next to the button.
  withQuantity?: boolean;
  maxSelectable?: number;
  // The button's size: compact in a product grid, large on a product page.
  size?: "compact" | "regular" | "large";
  label?: string;
  className?: string;
  // The line's properties (an engraving): the same product with other properties is another
  // line. Sent as `properties[Key]` fields; a host's own inputs named so (inside the form, via
  // `children`) are sent too, and an empty one is left out.
  properties?: Record<string, string>;
  // Extra fields inside the form, before the button (a property input: name="properties[Engraving]").
  children?: ReactNode;
}

// The form's `properties[Key]` fields, as the server reads them (empty ones left out).
function propertiesOf(data: FormData): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, value] of data.entries()) {
    const match = /^properties\[([^\]]+)\]$/.exec(name);
    if (match && typeof value === "string" && value !== "") out[match[1]!] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function SubmitButton({ label, productName }: { label: string; productName: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className="nc-button nc-button-primary" data-testid="add-to-cart" data-pending={pending ? "true" : undefined}>
      {label}
      <span className="nc-visually-hidden">: {productName}</span>
    </button>
  );
}

export function AddToCartButton({
  productId,
  name,
  unitPrice,
  slug = productId,
  image = "",
  returnTo,
  withQuantity = false,
  maxSelectable = 10,
  size = "regular",
  label,
  className,
  properties,
  children,
}: AddToCartButtonProps) {
  const { actions, limits, messages, submitForm } = useCart();
  const selectId = useId();
  const selectable = Math.max(1, Math.min(maxSelectable, limits.maxQuantity));

  return (
    <form
      action={formAction(actions.add)}
      className={cx("nc nc-add", size !== "regular" && `nc-add-${size}`, className)}
      onSubmit={(event) =>
        submitForm(
          event,
          actions.add,
          (data) => {
            const quantity = Number(data.get("quantity") ?? "1");
            if (!Number.isInteger(quantity) || quantity < 1) return null;
            const chosen = propertiesOf(data);
            return {
              op: { type: "add", productId, quantity, product: { name, unitPrice, slug, image }, properties: chosen },
              success: fillMessage(quantity === 1 ? messages.added : messages.addedMany, { name, quantity }),
            };
          },
          { key: `add:${productId}`, openDrawer: true },
        )
      }
    >
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="returnTo" value={returnTo} />
      {Object.entries(properties ?? {}).map(([key, value]) => (
        <input key={key} type="hidden" name={`properties[${key}]`} value={value} />
      ))}
      <IdempotencyField />
      {children}
      {withQuantity ? (
        <div className="nc-field">
          <label htmlFor={selectId} className="nc-field-label">
            {messages.quantity}
          </label>
          <select id={selectId} name="quantity" defaultValue="1" className="nc-select" data-testid="add-quantity">
            {Array.from({ length: selectable }, (_, i) => i + 1).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <input type="hidden" name="quantity" value="1" />
      )}
      <SubmitButton label={label ?? messages.addToCart} productName={name} />
      <ControlNote controlKey={`add:${productId}`} className="nc-add-note" />
    </form>
  );
}
