import * as carts from "../cart/service";
import type { MutationOptions, RestoreOutcome } from "../cart/service";
import type { CartView } from "../cart/types";
import type { Session } from "./session";
import { takeNotices, touched, withCart } from "./session";

// The session's cart: the cart service knows carts, not sessions; here a session follows the
// cart it reached (a merged or expired one is replaced), starts its record at its first
// change, and hands over the notices it holds (a sign-in merge) once.
export interface SessionCartResult {
  cart: CartView;
  session: Session;
}

function follow(session: Session, result: carts.CartResult): Session {
  const next = withCart(session, result.cartId);
  return result.changed ? touched(next) : next;
}

export async function getCart(session: Session): Promise<SessionCartResult> {
  const result = await carts.getCart(session);
  const { notices, session: next } = takeNotices(follow(session, result));
  const cart = notices.length > 0 ? { ...result.cart, notices: [...notices, ...result.cart.notices] } : result.cart;
  return { cart, session: next };
}

async function change(session: Session, run: () => Promise<carts.CartResult>): Promise<SessionCartResult> {
  const result = await run();
  return { cart: result.cart, session: follow(session, result) };
}

export const addItem = (session: Session, input: { productId: string; quantity: number; properties?: Record<string, string> }, options?: MutationOptions) =>
  change(session, () => carts.addItem(session, input, options));

// By lineId (a product's id names its line without properties).
export const setItemQuantity = (session: Session, lineId: string, quantity: number, options?: MutationOptions) =>
  change(session, () => carts.setItemQuantity(session, lineId, quantity, options));

export const removeItem = (session: Session, lineId: string, options?: MutationOptions) =>
  change(session, () => carts.removeItem(session, lineId, options));

export const setNote = (session: Session, note: string | null | undefined, options?: MutationOptions) =>
  change(session, () => carts.setNote(session, note, options));

export const clearCart = (session: Session, options?: MutationOptions) => change(session, () => carts.clearCart(session, options));

export async function restoreSnapshot(session: Session, linkId: string): Promise<SessionCartResult & { outcome: RestoreOutcome }> {
  const result = await carts.restoreSnapshot(session, linkId);
  return { cart: result.cart, session: follow(session, result), outcome: result.outcome };
}
