import { addLine, clearLines, defaultLimits, lineIdOf, removeLine, setLineQuantity, setNote, type LineChange } from "../cart/domain";
import type { CartLimits, CartLine, CartLineView, CartView } from "../cart/types";
import { AppError } from "../errors";

// The client's optimistic view of a cart change. Pure, and built on the same
// rules the server applies (lib/cart/domain), so the prediction cannot drift
// from the answer: a change the server would refuse (over the per-line
// maximum, over the line limit, an item no longer in the cart) leaves the
// cart as it is, and the server's answer explains why.
export interface OptimisticProduct {
  name: string;
  unitPrice: number;
  slug: string;
  image: string;
}

// `lineId` names a line with properties (without one, the product's line without properties).
export type CartOp =
  | { type: "add"; productId: string; quantity: number; product?: OptimisticProduct; properties?: Record<string, string> }
  | { type: "set"; productId: string; lineId?: string; quantity: number }
  | { type: "remove"; productId: string; lineId?: string }
  | { type: "clear" }
  | { type: "note"; note: string | null };

// A change to the whole cart rather than to one line.
export type WholeCartOp = Extract<CartOp, { type: "clear" | "note" }>;
export const isWholeCartOp = (op: CartOp): op is WholeCartOp => op.type === "clear" || op.type === "note";

export type CartReducerLimits = CartLimits;

export const DEFAULT_LIMITS: CartReducerLimits = defaultLimits;

function toLines(cart: CartView): CartLine[] {
  return cart.items.map((item) => ({
    productId: item.productId,
    properties: item.properties ?? {},
    quantity: item.quantity,
    addedUnitPrice: item.addedUnitPrice,
    addedAt: "",
  }));
}

function change(cart: CartView, op: CartOp, limits: CartLimits): LineChange | null {
  const lines = toLines(cart);
  switch (op.type) {
    case "add": {
      if (!Number.isInteger(op.quantity) || op.quantity < 1) return null;
      const lineId = lineIdOf({ productId: op.productId, properties: op.properties });
      const existing = cart.items.find((item) => (item.lineId ?? item.productId) === lineId);
      if (existing ? !existing.available : !op.product) return null;
      const unitPrice = existing?.unitPrice ?? op.product?.unitPrice ?? 0;
      return addLine(lines, { productId: op.productId, properties: op.properties, quantity: op.quantity, unitPrice, now: "" }, limits);
    }
    case "set":
      if (!Number.isInteger(op.quantity) || op.quantity < 0) return null;
      return setLineQuantity(lines, op.lineId ?? op.productId, op.quantity, limits);
    case "remove":
      return removeLine(lines, op.lineId ?? op.productId);
    case "clear":
      return clearLines(lines);
    case "note":
      return setNote(lines, cart.note ?? null, op.note);
  }
}

export function applyCartOp(cart: CartView, op: CartOp, limits: CartLimits = DEFAULT_LIMITS): CartView {
  let result: LineChange | null;
  try {
    result = change(cart, op, limits);
  } catch (err) {
    if (err instanceof AppError) return cart;
    throw err;
  }
  if (!result?.changed) return cart;
  // A note change leaves the lines as they are.
  if (result.note !== undefined) return { ...cart, note: result.note };

  const views = new Map(cart.items.map((item) => [item.lineId ?? item.productId, item]));
  const items = result.lines.map((line): CartLineView => {
    const lineId = lineIdOf(line);
    const known = views.get(lineId);
    const product = op.type === "add" ? op.product : undefined;
    const base: Omit<CartLineView, "quantity" | "lineTotal"> = known ?? {
      lineId,
      productId: line.productId,
      properties: line.properties ?? {},
      name: product?.name ?? line.productId,
      slug: product?.slug ?? line.productId,
      image: product?.image ?? "",
      // The server's answer brings the catalog's link.
      href: null,
      unitPrice: line.addedUnitPrice,
      addedUnitPrice: line.addedUnitPrice,
      available: true,
    };
    return { ...base, quantity: line.quantity, lineTotal: base.unitPrice * line.quantity };
  });
  return {
    ...cart,
    items,
    itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
    subtotal: items.reduce((sum, item) => (item.available ? sum + item.lineTotal : sum), 0),
  };
}

// Which of two server carts to keep. The same cart: the higher version wins
// (a tie takes the newer answer, which may carry fresher notices), so a slow
// response never overwrites a newer cart. Another cart (the shopper signed in
// and the carts merged, or a never-written cart got its first line): the
// answer that arrived last wins, except that a never-written cart does not
// replace a written one (a render that started before the first write).
// Notices shown once (a sign-in merge) stay while the version does: a later
// read of the same version (a refresh, the live stream) no longer carries them.
export function newerCart(current: CartView, incoming: CartView): CartView {
  if (current.id === incoming.id) {
    if (incoming.version !== current.version) return incoming.version > current.version ? incoming : current;
    return incoming.notices.length === 0 && current.notices.length > 0 ? { ...incoming, notices: current.notices } : incoming;
  }
  if (incoming.id === null && current.id !== null) return current;
  return incoming;
}
