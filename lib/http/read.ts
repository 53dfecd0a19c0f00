import { cache } from "react";
import { withRenderContext } from "./request-context";
import { describeSession } from "../identity/describe";
import { sessionFromCookiesOrFresh } from "../session/next-cookies";
import { saveSessionRecord } from "../session/session";
import { getCart } from "../session/cart";
import type { CartView } from "../cart/types";
import { emptyCartView } from "../cart/view";
import type { CartRuntime } from "../runtime/runtime";
import { latestCheckout, type CheckoutView } from "../checkout/checkouts";

// Reads for server rendering, once per request and instance (React cache; each instance has
// its own, so a page reading two markets gets each one's answer). Rendering never sets cookies,
// so a new visitor sees an empty cart until the first add; notices shown once (a merge) are
// dropped from the session record.
export function renderReads(runtime: CartRuntime) {
  const sessionForRender = cache(() => runtime.run(() => sessionFromCookiesOrFresh()));

  const getCartForRender = cache(() =>
    runtime.run(() =>
      withRenderContext(async (): Promise<CartView> => {
        try {
          const { cart, session } = await getCart(await sessionForRender());
          if (cart.notices.some((n) => n.type === "merged")) await saveSessionRecord(session);
          return cart;
        } catch {
          // The page still renders when the database is briefly away; actions report the error.
          return emptyCartView();
        }
      }),
    ),
  );

  // Who is signed in, for the header.
  const getSessionForRender = cache(() =>
    runtime.run(() =>
      withRenderContext(async () => {
        try {
          return await describeSession(await sessionForRender());
        } catch {
          return { user: null };
        }
      }),
    ),
  );

  // The shopper's latest checkout (open, completed or cancelled), or null: a host's review and
  // confirmation pages render it.
  const getCheckoutForRender = cache(() =>
    runtime.run(() =>
      withRenderContext(async (): Promise<CheckoutView | null> => {
        try {
          return await latestCheckout(await sessionForRender());
        } catch {
          return null;
        }
      }),
    ),
  );

  return { getCartForRender, getSessionForRender, getCheckoutForRender };
}
