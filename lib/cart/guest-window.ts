import { env } from "../config/env";
import { currentRuntime } from "../runtime/context";

// The one guest-cart window: a guest cart stays reachable (recoverable through its cookie, a
// recovery link's restore target, mergeable at sign-in) for GUEST_CART_RECOVERY_DAYS after its
// last change, and the guest's cookie lives exactly as long.
export function guestCartWindowSeconds(): number {
  return env().GUEST_CART_RECOVERY_DAYS * 86_400;
}

// The oldest last change a guest cart may have and still be reachable, on the instance's clock.
export function guestCartCutoff(): Date {
  return new Date(currentRuntime().now() - guestCartWindowSeconds() * 1000);
}
