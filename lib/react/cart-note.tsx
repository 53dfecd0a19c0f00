"use client";

import { useId } from "react";
import { normalizeNote } from "../cart/domain";
import { MAX_NOTE_LENGTH } from "../cart/types";
import { formAction, useCart, type CartIntent } from "./cart-provider";
import { cx } from "./class-names";
import { ControlNote } from "./control-note";
import { IdempotencyField } from "./idempotency-field";
import { fillMessage } from "./messages";

export interface CartNoteProps {
  // Where posts without JavaScript land afterwards.
  returnTo?: string;
  className?: string;
}

const CONTROL = { key: "note" };

// The cart's note to the store: a field and "Save note", and "Remove note" when there is one.
// Both are forms posting to the provider's note action, so they work without JavaScript; with
// it the change goes through the provider's queue like any other. Nothing without that action.
export function CartNote({ returnTo = "/cart", className }: CartNoteProps) {
  const { cart, actions, messages, notes, submitForm } = useCart();
  const fieldId = useId();
  const headingId = useId();
  const helpId = useId();
  const action = actions.note;
  if (!action) return null;

  // Longer than the server takes (a field edited past its maxlength): no prediction, the server refuses.
  const intent = (data: FormData): CartIntent | null => {
    const typed = data.get("note");
    if (typeof typed !== "string" || typed.length > MAX_NOTE_LENGTH) return null;
    const note = normalizeNote(typed);
    return { op: { type: "note", note }, success: note === null ? messages.noteCleared : messages.noteSaved };
  };
  const hidden = (
    <>
      <input type="hidden" name="returnTo" value={returnTo} />
      <IdempotencyField />
    </>
  );

  return (
    <section className={cx("nc nc-cart-note", className)} aria-labelledby={headingId} data-testid="cart-note">
      <h2 id={headingId} className="nc-cart-note-title">
        {messages.noteTitle}
      </h2>
      <form
        className="nc-cart-note-form"
        action={formAction(action)}
        onSubmit={(event) => submitForm(event, action, intent, CONTROL)}
      >
        {hidden}
        <label htmlFor={fieldId} className="nc-visually-hidden">
          {messages.noteTitle}
        </label>
        <textarea
          // The shown note resets to the cart's when it changes, or when a change to it is refused.
          key={`${cart.note ?? ""}:${notes[CONTROL.key]?.id ?? 0}`}
          id={fieldId}
          name="note"
          className="nc-cart-note-input"
          rows={3}
          maxLength={MAX_NOTE_LENGTH}
          defaultValue={cart.note ?? ""}
          aria-describedby={helpId}
          data-testid="cart-note-input"
        />
        <p id={helpId} className="nc-muted nc-cart-note-help">
          {fillMessage(messages.noteHelp, { max: MAX_NOTE_LENGTH })}
        </p>
        <button type="submit" className="nc-button nc-button-secondary nc-button-small" data-testid="cart-note-save">
          {messages.saveNote}
        </button>
      </form>
      {cart.note === null ? null : (
        // Its own form: a submit button's own note="" would come after the field's in the post.
        <form className="nc-cart-note-clear" action={formAction(action)} onSubmit={(event) => submitForm(event, action, intent, CONTROL)}>
          {hidden}
          <input type="hidden" name="note" value="" />
          <button type="submit" className="nc-link-button nc-link-button-danger" data-testid="cart-note-clear">
            {messages.clearNote}
          </button>
        </form>
      )}
      <ControlNote controlKey={CONTROL.key} />
    </section>
  );
}
