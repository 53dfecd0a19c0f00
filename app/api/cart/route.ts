// GET /api/cart — the shopper's cart; DELETE /api/cart — empty it
import { clearCart, getCart } from "@/lib/cart/service";
import { sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute({}, ({ session }) => getCart(session));

export const DELETE = sessionRoute({ mutation: true }, ({ session, mutation }) => clearCart(session, mutation));
