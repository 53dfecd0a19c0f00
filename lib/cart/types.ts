// The cart as the contract describes it (api-contract.md, "The cart object").
export type LineProperties = Record<string, string>;

export interface CartLineView {
  // The line's id: its product's id for a line without properties, else the product's id, "~"
  // and a hash of its canonical properties (lib/cart/domain.ts lineIdOf). Stable.
  lineId: string;
  productId: string;
  // What the shopper chose for this line (an engraving); {} when none.
  properties: LineProperties;
  name: string;
  slug: string;
  image: string;
  // The product page, when the catalog adapter gives one; else null.
  href: string | null;
  unitPrice: number;
  addedUnitPrice: number;
  quantity: number;
  lineTotal: number;
  available: boolean;
}

export type CartNotice =
  | { type: "merged"; message: string; details?: unknown }
  | { type: "price_changed"; productId: string; from: number; to: number; message: string }
  | { type: "unavailable"; productId: string; message: string }
  | { type: "quantity_capped"; productId: string; from: number; to: number; message: string };

// The note's longest length: the request schemas (lib/cart/schemas.ts) refuse longer, and the
// CartNote field stops there. Here, beside the cart's types, so the browser's bundles (the typed
// client, the components) read it without the server's rules.
export const MAX_NOTE_LENGTH = 500;

export interface CartView {
  id: string | null;
  version: number;
  currency: string;
  items: CartLineView[];
  // The shopper's note to the store, null when none.
  note: string | null;
  itemCount: number;
  subtotal: number;
  updatedAt: string | null;
  notices: CartNotice[];
}

// A stored line: what Postgres and the cache hold.
export interface CartLine {
  productId: string;
  // Canonical: keys sorted (lib/cart/domain.ts canonicalProperties); absent or {} when none.
  properties?: LineProperties;
  quantity: number;
  addedUnitPrice: number;
  addedAt: string;
}

// A stored cart: the cached snapshot of one Postgres cart and its lines.
export interface CartSnapshot {
  id: string;
  userId: string | null;
  status: "active" | "merged" | "closed" | "ordered";
  version: number;
  currency: string;
  updatedAt: string;
  // Absent or null when none.
  note?: string | null;
  lines: CartLine[];
}

export interface Product {
  id: string;
  slug: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  active: boolean;
  image: string;
  // The product page, when the catalog adapter gives one.
  href?: string | null;
}

// Which cart a caller reaches: its id, its owner (null for a guest) and whether the id was
// just allocated (nothing can be stored under it yet).
export interface CartRef {
  cartId: string;
  userId: string | null;
  newCart?: boolean;
}

export interface CartLimits {
  maxLines: number;
  maxQuantity: number;
}

// What a server action returns to the cart provider.
export type CartActionResult =
  | { ok: true; cart: CartView }
  | { ok: false; cart: CartView; error: { code: string; message: string } };
