"use client";

import { useState } from "react";

// A fresh idempotency key: one per submission with JavaScript, one per rendered form without.
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

// The form's idempotency key, rendered into the HTML so that a double
// submit of the same page without JavaScript applies once (the second post
// replays the first). With JavaScript the provider sends a new key per
// submission instead. The client's own value may differ from the server's
// after hydration; either is a fresh key, so the mismatch is harmless.
export function IdempotencyField() {
  const [key] = useState(newIdempotencyKey);
  return <input type="hidden" name="idempotencyKey" value={key} readOnly suppressHydrationWarning />;
}
