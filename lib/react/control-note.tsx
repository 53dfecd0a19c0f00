"use client";

import { useCart } from "./cart-provider";
import { cx } from "./class-names";

// A control's own note: why its change was refused (the change has rolled
// back), or that it is being retried. Announced by the provider's status
// line; shown here so the reason sits beside the control.
export function ControlNote({ controlKey, className }: { controlKey: string; className?: string }) {
  const { notes } = useCart();
  const note = notes[controlKey];
  if (!note) return null;
  return (
    <p className={cx("nc-note", className)} data-tone={note.tone} data-testid="control-note">
      {note.text}
    </p>
  );
}
