import { MAX_NOTE_LENGTH } from "../cart/types";

// Every English string the cart components render, in one object. A host
// replaces any of them through <CartProvider messages={...}> (a partial
// override). Values are plain strings, so a server layout can pass them to the
// client provider; `{name}`, `{quantity}`, `{count}`, `{from}`, `{to}` are
// filled in by `fillMessage`. Codes are the contract, wording is ours: the
// server's own message is never shown verbatim.
export const CART_ERROR_CODES = [
  "QUANTITY_LIMIT",
  "LINE_LIMIT",
  "PRODUCT_UNAVAILABLE",
  "PRODUCT_NOT_FOUND",
  "ITEM_NOT_FOUND",
  "VALIDATION_ERROR",
  "RATE_LIMITED",
  "SERVICE_UNAVAILABLE",
  "OVERLOADED",
  "SESSION_ROTATED",
  "CART_EMPTY",
] as const;

export type CartErrorCode = (typeof CART_ERROR_CODES)[number];

export const defaultCartMessages = {
  errors: {
    QUANTITY_LIMIT: "That's more than we can put on one line. Please choose a smaller quantity.",
    LINE_LIMIT: "Your cart is full. Remove something before adding another product.",
    PRODUCT_UNAVAILABLE: "Sorry, that product is no longer available.",
    PRODUCT_NOT_FOUND: "Sorry, we couldn't find that product.",
    ITEM_NOT_FOUND: "That item is no longer in your cart.",
    CART_EMPTY: "There is nothing in your cart that can be bought right now.",
    // Refused input of any field (a quantity, a note): the fields themselves keep to the limits, so this is rare.
    VALIDATION_ERROR: `Please check what you entered: a quantity is a whole number, a note at most ${MAX_NOTE_LENGTH} characters.`,
    RATE_LIMITED: "You're going a little fast. Please wait a moment and try again.",
    SERVICE_UNAVAILABLE: "We couldn't update your cart just now. Please try again in a moment.",
    OVERLOADED: "The shop is busy right now. Please try again in a moment.",
    SESSION_ROTATED: "You signed in or out meanwhile, so nothing was changed. Please try again.",
  } satisfies Record<CartErrorCode, string>,
  genericError: "Something went wrong updating your cart. Please try again.",
  busyRetrying: "Busy — retrying…",
  offlineQueued: "Offline — your changes will be saved when you're back online",
  cartUpdated: "Your cart was updated",
  // A session is one browser's cookie: what signs this page out is a sign-out in another of its tabs.
  signedOutElsewhere: "You were signed out in another tab or window",

  added: "Added {name} to your cart",
  addedMany: "Added {quantity} × {name} to your cart",
  quantityNow: "{name}: quantity is now {quantity}",
  removed: "Removed {name} from your cart",
  cleared: "Your cart is now empty",

  addToCart: "Add to cart",
  quantity: "Quantity",
  quantityOf: "Quantity of {name}",
  increase: "Increase quantity of {name}",
  decrease: "Decrease quantity of {name}",
  removeOne: "Remove {name}",
  update: "Update",
  updateWhat: "quantity of {name}",
  remove: "Remove",
  clearCart: "Clear cart",
  each: "{price} each",
  was: "was",
  unavailable: "No longer available",
  notIncluded: "Not included",
  qty: "Qty {quantity}",

  itemsHeading: "Items in your cart",
  noticesLabel: "Changes to your cart",
  summary: "Summary",
  summaryLabel: "Order summary",
  subtotal: "Subtotal",
  shipping: "Shipping",
  shippingLater: "Calculated at checkout",
  continueShopping: "Continue shopping",
  checkout: "Checkout",
  emptyTitle: "Your cart is empty.",
  emptyBody: "Good things are waiting in the shop.",
  browseShop: "Browse the shop",

  cart: "Cart",
  cartLabel: "Cart, {count}",
  itemOne: "{count} item",
  itemOther: "{count} items",

  drawerTitle: "Your cart",
  drawerClose: "Close the cart",
  viewCart: "View cart",

  noteTitle: "Note to the store",
  noteHelp: "A gift message or a delivery instruction, up to {max} characters.",
  saveNote: "Save note",
  clearNote: "Remove note",
  noteSaved: "Your note was saved",
  noteCleared: "Your note was removed",

  mergedTitle: "You're signed in — your cart came along",
  mergedDefault: "Items from your earlier visit were added to your cart",
  viewYourCart: "View your cart",
  dismiss: "Dismiss this message",

  priceChanged: "The price of {name} changed from {from} to {to}.",
  priceDropped: "The price of {name} dropped from {from} to {to}.",
  lineUnavailable: "{name} is no longer available and isn't included in your subtotal.",
  someLineUnavailable: "An item in your cart is no longer available.",
  quantityCapped: "We reduced {name} from {from} to {to}, the most we can sell on one line.",
  anItem: "An item",
};

export type CartMessages = typeof defaultCartMessages;

// What a host may pass: any subset, error codes included.
export type CartMessagesOverride = Partial<Omit<CartMessages, "errors">> & { errors?: Partial<CartMessages["errors"]> };

export function mergeMessages(override: CartMessagesOverride | undefined): CartMessages {
  if (!override) return defaultCartMessages;
  return { ...defaultCartMessages, ...override, errors: { ...defaultCartMessages.errors, ...override.errors } };
}

// Fills `{name}`-style placeholders; unknown placeholders stay as written.
export function fillMessage(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

export function itemCountText(count: number, messages: CartMessages = defaultCartMessages): string {
  return fillMessage(count === 1 ? messages.itemOne : messages.itemOther, { count });
}

export const GENERIC_CART_ERROR = defaultCartMessages.genericError;

export function isCartErrorCode(code: unknown): code is CartErrorCode {
  return typeof code === "string" && (CART_ERROR_CODES as readonly string[]).includes(code);
}

// A friendly sentence for any code; unknown codes get the generic message.
export function cartErrorMessage(code: string | null | undefined, messages: CartMessages = defaultCartMessages): string {
  return isCartErrorCode(code) ? messages.errors[code] : messages.genericError;
}

// Reads `?cartError=CODE` from a page's search params; only known codes count.
export function cartErrorFromSearchParams(value: string | string[] | undefined): CartErrorCode | null {
  const code = Array.isArray(value) ? value[0] : value;
  return isCartErrorCode(code) ? code : null;
}

// The one-time "merged" notice as a sentence (the server's message, which names the counts).
export function mergedNoticeText(message: string, messages: CartMessages = defaultCartMessages): string {
  const text = message.trim() || messages.mergedDefault;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
