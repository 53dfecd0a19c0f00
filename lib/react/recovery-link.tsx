"use client";

import { useId, useRef, useState } from "react";
import { useCart, useHydrated } from "./cart-provider";
import { cx } from "./class-names";

interface RecoveryLink {
  url: string;
  expiresAt: string;
}

type State =
  | { kind: "idle" }
  | { kind: "creating" }
  | { kind: "ready"; link: RecoveryLink; copied: "yes" | "manual" | null }
  | { kind: "error"; message: string };

const errorMessages: Record<string, string> = {
  CART_EMPTY: "Add something to your cart first, then create a link.",
  RATE_LIMITED: "You're going a little fast. Please wait a moment and try again.",
  FORBIDDEN_ORIGIN: "We couldn't create a link from this page. Please reload it and try again.",
};
const GENERIC_ERROR = "We couldn't create a link just now. Please try again in a moment.";

function isRecoveryLink(value: unknown): value is RecoveryLink {
  if (typeof value !== "object" || value === null) return false;
  const { url, expiresAt } = value as Record<string, unknown>;
  return typeof url === "string" && typeof expiresAt === "string";
}

async function createLink(endpoint: string): Promise<{ ok: true; link: RecoveryLink } | { ok: false; message: string }> {
  let response: Response;
  try {
    // The route takes no body, so no Content-Type either (api-contract.md, Conventions).
    response = await fetch(endpoint, { method: "POST", credentials: "same-origin", cache: "no-store" });
  } catch {
    return { ok: false, message: "You seem to be offline. Check your connection and try again." };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && isRecoveryLink(body)) return { ok: true, link: body };
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return { ok: false, message: (typeof code === "string" && errorMessages[code]) || GENERIC_ERROR };
}

function formatExpiry(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" }).format(date);
}

// "Continue on another device": creates a signed link to the lines this
// cart holds now (POST /api/cart/recovery-link; each press makes a new
// snapshot) and offers to copy it. Opening the link elsewhere shows those
// items with an "Add to my cart" button. It needs fetch, so without
// JavaScript it is not shown at all.
export function RecoveryLinkSection({ endpoint = "/api/cart/recovery-link", className }: { endpoint?: string; className?: string }) {
  const { cart } = useCart();
  const hydrated = useHydrated();
  const [state, setState] = useState<State>({ kind: "idle" });
  const inputRef = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const inputId = useId();

  if (!hydrated || cart.items.length === 0) return null;

  const create = async () => {
    setState({ kind: "creating" });
    const result = await createLink(endpoint);
    setState(result.ok ? { kind: "ready", link: result.link, copied: null } : { kind: "error", message: result.message });
  };

  const copy = async (link: RecoveryLink) => {
    try {
      await navigator.clipboard.writeText(link.url);
      setState({ kind: "ready", link, copied: "yes" });
    } catch {
      // No clipboard permission: select the text so a keyboard copy is one step.
      inputRef.current?.select();
      setState({ kind: "ready", link, copied: "manual" });
    }
  };

  const creating = state.kind === "creating";

  return (
    <section className={cx("nc nc-recovery", className)} aria-labelledby={headingId} data-testid="recovery">
      <h2 id={headingId} className="nc-recovery-title">
        Continue on another device
      </h2>
      <p className="nc-muted nc-recovery-help">Get a private link to these items as they are now. Whoever opens it sees the list and can add a copy to their cart.</p>

      {state.kind === "ready" ? (
        <div className="nc-recovery-result">
          <label htmlFor={inputId} className="nc-visually-hidden">
            Link to this cart
          </label>
          <div className="nc-copy-field">
            <input
              ref={inputRef}
              id={inputId}
              className="nc-copy-field-input"
              type="text"
              readOnly
              value={state.link.url}
              onFocus={(event) => event.currentTarget.select()}
              data-testid="recovery-url"
            />
            <button type="button" className="nc-button nc-button-primary nc-button-small" onClick={() => copy(state.link)} data-testid="recovery-copy">
              {state.copied === "yes" ? "Copied" : "Copy"}
            </button>
          </div>
          <p className="nc-muted nc-recovery-meta">
            Works until {formatExpiry(state.link.expiresAt)}. Anyone with the link can add these items to their cart; later changes here don&apos;t reach it.
          </p>
          {/* The link is a snapshot: after changing the cart, a new link carries the new lines. */}
          <button type="button" className="nc-button nc-button-secondary nc-button-small" onClick={create} data-testid="recovery-renew">
            Make a new link
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="nc-button nc-button-secondary nc-button-small"
          onClick={create}
          aria-disabled={creating || undefined}
          disabled={creating}
          data-testid="recovery-create"
        >
          {creating ? "Creating link…" : "Create a link"}
        </button>
      )}

      {/* A live region without role="status": the page has one status line, the cart provider's. */}
      <p className="nc-recovery-status" aria-live="polite" data-testid="recovery-status">
        {state.kind === "error" ? <span className="nc-recovery-error">{state.message}</span> : null}
        {state.kind === "ready" && state.copied === "yes" ? "Link copied to the clipboard." : null}
        {state.kind === "ready" && state.copied === "manual" ? "Press Ctrl+C (or ⌘C) to copy the selected link." : null}
      </p>
    </section>
  );
}
