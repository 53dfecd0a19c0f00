import { z } from "./zod";
import type { CartActionResult } from "../cart/types";
import type { CartServerAction } from "./cart-provider";

// Sending one change to the server until it has a lasting answer. A busy or
// briefly unavailable server (OVERLOADED, SERVICE_UNAVAILABLE, RATE_LIMITED
// with a retry hint, or a transport failure such as a gateway's 503, which a
// server action surfaces as a thrown error) gets the same form data again,
// so the same idempotency key: the change applies exactly once, never lost.
const RETRYABLE = new Set(["OVERLOADED", "SERVICE_UNAVAILABLE", "RATE_LIMITED"]);
export const MAX_ATTEMPTS = 4;
const MAX_WAIT_SECONDS = 5;
// A thrown error carries no Retry-After: wait a second, then two.
const TRANSPORT_WAITS = [1, 2, 2];

const retryHint = z.object({ code: z.string(), retryAfter: z.number().nonnegative().optional() });

// Seconds to wait before sending again, or null when the answer stands.
export function retryWait(result: CartActionResult | null, attempt: number): number | null {
  if (attempt >= MAX_ATTEMPTS - 1) return null;
  if (result === null) return TRANSPORT_WAITS[attempt] ?? MAX_WAIT_SECONDS;
  if (result.ok) return null;
  const hint = retryHint.safeParse(result.error);
  if (!hint.success || !RETRYABLE.has(hint.data.code)) return null;
  return Math.min(hint.data.retryAfter ?? 1, MAX_WAIT_SECONDS);
}

const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

// The action's lasting answer, or null when every attempt failed in transport.
// `onRetry` runs before each wait (the provider shows "Busy — retrying…").
export async function sendChange(action: CartServerAction, formData: FormData, onRetry: () => void): Promise<CartActionResult | null> {
  for (let attempt = 0; ; attempt += 1) {
    let result: CartActionResult | null;
    try {
      result = await action(formData);
      // Sent with a cookie from before a sign-in or sign-out that finished meanwhile:
      // nothing was changed, and the browser now holds the new cookie. Send it again.
      for (let again = 0; again < 2 && !result.ok && result.error.code === "SESSION_ROTATED"; again += 1) {
        result = await action(formData);
      }
    } catch {
      result = null;
    }
    const wait = retryWait(result, attempt);
    if (wait === null) return result;
    onRetry();
    await sleep(wait);
  }
}
