import type { CartLineView } from "../cart/types";

// The events the module tells the host's systems (docs/events.md). Pure types: the runtime,
// the outbox and the host's onEvent share them.
export const EVENT_TYPES = [
  "cart.created",
  "cart.updated",
  "cart.merged",
  "checkout.created",
  "checkout.completed",
  "checkout.cancelled",
  "cart.abandoned",
] as const;

export type CartEventType = (typeof EVENT_TYPES)[number];

// A line as an event carries it: the fields a cart line and a checkout line share, and (cart
// events) the cart line's others.
export type EventLine = Pick<CartLineView, "lineId" | "productId" | "properties" | "name" | "unitPrice" | "quantity" | "lineTotal"> & Partial<CartLineView>;

// What a cart event's `data` holds; checkout events add the checkout object, `cart.abandoned`
// a recovery link, `cart.merged` the guest cart it took in.
export interface CartEventData {
  cartId: string;
  version: number;
  userId: string | null;
  // The owner's email, when the module knows it (its own accounts table).
  email?: string;
  currency: string;
  // The cart object's lines, as GET /api/cart shows them at this version; a checkout event's are
  // the checkout's (its snapshot: lineId, productId, name, unitPrice, quantity, properties, lineTotal).
  lines: EventLine[];
  note: string | null;
  itemCount: number;
  subtotal: number;
  [more: string]: unknown;
}

// The body of one event, as each webhook receives it (JSON) and onEvent is given it.
export interface CartEvent {
  // The event's id: the same for every endpoint and every retry (Standard Webhooks' webhook-id).
  id: string;
  type: CartEventType;
  // ISO 8601, when the change was recorded.
  timestamp: string;
  data: CartEventData;
}

// createCart({ onEvent }): called at least once per event, after its change committed, off the
// request path. Throwing (or rejecting) has it called again later with the same event id.
export type CartEventHandler = (event: CartEvent) => void | Promise<void>;
