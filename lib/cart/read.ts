import { cookies } from "next/headers";
import { sessionCookieName } from "@/lib/session/cookie";
import { resolveSession } from "@/lib/session/session";
import { getCart } from "./service";
import type { CartView } from "./types";
import { emptyCartView } from "./view";

/**
 * The shopper's cart for server rendering. Read-only: rendering never sets
 * cookies, so a new visitor simply sees an empty cart until the first add.
 */
export async function getCartForRender(): Promise<CartView> {
  const jar = await cookies();
  const session = await resolveSession(jar.get(sessionCookieName())?.value);
  try {
    return (await getCart(session)).cart;
  } catch {
    // The page still renders when the database is briefly away; actions report the error.
    return emptyCartView();
  }
}
