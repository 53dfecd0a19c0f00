/**
 * Friendly words for the cart's error codes, in one place. The server's own
 * message is never shown verbatim: codes are the contract, wording is ours.
 */
export const CART_ERROR_CODES = [
  "QUANTITY_LIMIT",
  "LINE_LIMIT",
  "PRODUCT_UNAVAILABLE",
  "PRODUCT_NOT_FOUND",
  "ITEM_NOT_FOUND",
  "VALIDATION_ERROR",
  "RATE_LIMITED",
  "SERVICE_UNAVAILABLE",
  "SESSION_ROTATED",
] as const;

export type CartErrorCode = (typeof CART_ERROR_CODES)[number];

const messages: Record<CartErrorCode, string> = {
  QUANTITY_LIMIT: "That's more than we can put on one line. Please choose a smaller quantity.",
  LINE_LIMIT: "Your cart is full. Remove something before adding another product.",
  PRODUCT_UNAVAILABLE: "Sorry, that product is no longer available.",
  PRODUCT_NOT_FOUND: "Sorry, we couldn't find that product.",
  ITEM_NOT_FOUND: "That item is no longer in your cart.",
  VALIDATION_ERROR: "Please enter a whole number for the quantity.",
  RATE_LIMITED: "You're going a little fast. Please wait a moment and try again.",
  SERVICE_UNAVAILABLE: "We couldn't update your cart just now. Please try again in a moment.",
  SESSION_ROTATED: "You signed in or out meanwhile, so nothing was changed. Please try again.",
};

export const GENERIC_CART_ERROR = "Something went wrong updating your cart. Please try again.";

export function isCartErrorCode(code: unknown): code is CartErrorCode {
  return typeof code === "string" && (CART_ERROR_CODES as readonly string[]).includes(code);
}

/** A friendly sentence for any code; unknown codes get the generic message. */
export function cartErrorMessage(code: string | null | undefined): string {
  return isCartErrorCode(code) ? messages[code] : GENERIC_CART_ERROR;
}

/** Reads `?cartError=CODE` from a page's search params; only known codes count. */
export function cartErrorFromSearchParams(value: string | string[] | undefined): CartErrorCode | null {
  const code = Array.isArray(value) ? value[0] : value;
  return isCartErrorCode(code) ? code : null;
}

/** The one-time "merged" notice as a sentence (the server's message, which names the counts). */
export function mergedNoticeText(message: string): string {
  const text = message.trim() || "Items from your earlier visit were added to your cart";
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
