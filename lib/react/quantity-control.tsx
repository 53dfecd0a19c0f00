"use client";

import { useId } from "react";
import type { CartLineView } from "../cart/types";
import { formAction, useCart, type CartIntent } from "./cart-provider";
import { cx } from "./class-names";
import { ControlNote } from "./control-note";
import { IdempotencyField } from "./idempotency-field";
import { fillMessage } from "./messages";

export interface QuantityControlProps {
  line: CartLineView;
  // Where posts without JavaScript land afterwards.
  returnTo?: string;
  className?: string;
}

// A quantity typed by the shopper: a whole number, or null.
function parseQuantity(value: FormDataEntryValue | null): number | null {
  if (typeof value !== "string" || !/^\d{1,6}$/.test(value.trim())) return null;
  return Number(value.trim());
}

export const lineControlKey = (productId: string) => `line:${productId}`;

// − / typed quantity / + and "Update" and "Remove" for one line. Each button
// is its own form, so each works as a plain post without JavaScript.
export function QuantityControl({ line, returnTo = "/cart", className }: QuantityControlProps) {
  const { actions, limits, messages, notes, submitForm } = useCart();
  const updateFormId = useId();
  const inputId = useId();
  // A line is named by its lineId (a product's id for a line without properties).
  const lineId = line.lineId ?? line.productId;
  const control = { key: lineControlKey(lineId) };
  const name = line.name;

  const setQuantityIntent =
    (fixed?: number) =>
    (data: FormData): CartIntent | null => {
      const quantity = fixed ?? parseQuantity(data.get("quantity"));
      if (quantity === null || quantity > limits.maxQuantity) return null;
      return {
        op: { type: "set", productId: line.productId, lineId, quantity },
        success: fillMessage(quantity === 0 ? messages.removed : messages.quantityNow, { name, quantity }),
      };
    };

  const hidden = (
    <>
      <input type="hidden" name="productId" value={line.productId} />
      <input type="hidden" name="lineId" value={lineId} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <IdempotencyField />
    </>
  );

  return (
    <div className={cx("nc nc-line-controls", className)}>
      {line.available ? (
        <div className="nc-stepper" role="group" aria-label={fillMessage(messages.quantityOf, { name })}>
          <form
            className="nc-stepper-form"
            action={formAction(actions.setQuantity)}
            onSubmit={(event) => submitForm(event, actions.setQuantity, setQuantityIntent(line.quantity - 1), control)}
          >
            {hidden}
            <input type="hidden" name="quantity" value={line.quantity - 1} />
            <button
              type="submit"
              className="nc-stepper-button"
              aria-label={fillMessage(line.quantity === 1 ? messages.removeOne : messages.decrease, { name })}
              data-testid="line-decrease"
            >
              <span aria-hidden="true">−</span>
            </button>
          </form>
          <label htmlFor={inputId} className="nc-visually-hidden">
            {fillMessage(messages.quantityOf, { name })}
          </label>
          <input
            key={`${line.quantity}:${notes[control.key]?.id ?? 0}`}
            id={inputId}
            form={updateFormId}
            className="nc-stepper-input"
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
            className="nc-stepper-form"
            action={formAction(actions.setQuantity)}
            onSubmit={(event) => submitForm(event, actions.setQuantity, setQuantityIntent(line.quantity + 1), control)}
          >
            {hidden}
            <input type="hidden" name="quantity" value={line.quantity + 1} />
            <button
              type="submit"
              className="nc-stepper-button"
              aria-label={fillMessage(messages.increase, { name })}
              disabled={line.quantity >= limits.maxQuantity}
              data-testid="line-increase"
            >
              <span aria-hidden="true">+</span>
            </button>
          </form>
        </div>
      ) : (
        <p className="nc-muted nc-line-qty" data-testid="line-quantity">
          {fillMessage(messages.qty, { quantity: line.quantity })}
        </p>
      )}
      <div className="nc-line-actions">
        {line.available ? (
          <form
            id={updateFormId}
            action={formAction(actions.setQuantity)}
            onSubmit={(event) => submitForm(event, actions.setQuantity, setQuantityIntent(), control)}
          >
            {hidden}
            <button type="submit" className="nc-link-button" data-testid="line-update">
              {messages.update}
              <span className="nc-visually-hidden"> {fillMessage(messages.updateWhat, { name })}</span>
            </button>
          </form>
        ) : null}
        <form
          action={formAction(actions.remove)}
          onSubmit={(event) =>
            submitForm(
              event,
              actions.remove,
              () => ({ op: { type: "remove", productId: line.productId, lineId }, success: fillMessage(messages.removed, { name }) }),
              control,
            )
          }
        >
          {hidden}
          <button type="submit" className="nc-link-button nc-link-button-danger" data-testid="line-remove">
            {messages.remove}
            <span className="nc-visually-hidden"> {name}</span>
          </button>
        </form>
      </div>
      <ControlNote controlKey={control.key} />
    </div>
  );
}
