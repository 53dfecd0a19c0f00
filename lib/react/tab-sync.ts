import { z } from "./zod";
import type { CartView } from "../cart/types";

// Tabs of one browser share one session cookie, so one cart: after a change
// is reconciled, a tab posts the cart on a BroadcastChannel and the others
// take it if it is newer. No polling; without BroadcastChannel, nothing.
const CHANNEL = "next-cart";

const cartLine = z.looseObject({
  productId: z.string(),
  name: z.string(),
  slug: z.string(),
  image: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  addedUnitPrice: z.number().int(),
  lineTotal: z.number().int(),
  available: z.boolean(),
});

const cartMessage = z.object({
  // The cart id the sender showed before its change: a first add turns a never-written cart (null) into one.
  from: z.string().nullable(),
  cart: z.looseObject({
    id: z.string().nullable(),
    version: z.number().int(),
    currency: z.string(),
    items: z.array(cartLine),
    itemCount: z.number().int(),
    subtotal: z.number().int(),
    updatedAt: z.string().nullable(),
    notices: z.array(z.looseObject({ type: z.string() })),
  }),
});

export type TabCartMessage = { from: string | null; cart: CartView };

// The cart a tab keeps when another tab posts one: the same cart, newer; or the first write of a never-written one.
export function takeFromOtherTab(current: CartView, message: TabCartMessage): CartView {
  const { cart } = message;
  if (cart.id !== null && cart.id === current.id) return cart.version > current.version ? cart : current;
  if (current.id === null && message.from === null && cart.id !== null) return cart;
  return current;
}

export interface TabChannel {
  post(message: TabCartMessage): void;
  close(): void;
}

export function openTabChannel(onCart: (message: TabCartMessage) => void): TabChannel | null {
  if (typeof BroadcastChannel === "undefined") return null;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    const parsed = cartMessage.safeParse(event.data);
    // Notices keep their own shapes; the sender built them from the same server answer.
    if (parsed.success) onCart(parsed.data as unknown as TabCartMessage);
  };
  return {
    post: (message) => channel.postMessage(message),
    close: () => channel.close(),
  };
}
