import { cache } from "react";
import { withRenderContext } from "./request-context";
import { describeSession } from "../identity/describe";
import { sessionFromCookiesOrFresh } from "../session/next-cookies";
import { saveSessionRecord } from "../session/session";
import { getCart } from "../session/cart";
import type { CartView } from "../cart/types";
import { emptyCartView } from "../cart/view";

// Reads for server rendering, once per request (React cache). Rendering
// never sets cookies, so a new visitor sees an empty cart until the first
// add; notices shown once (a merge) are dropped from the session record.
const sessionForRender = cache(sessionFromCookiesOrFresh);

export const getCartForRender = cache(() =>
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
);

// Who is signed in, for the header.
export const getSessionForRender = cache(() =>
  withRenderContext(async () => {
    try {
      return await describeSession(await sessionForRender());
    } catch {
      return { user: null };
    }
  }),
);
