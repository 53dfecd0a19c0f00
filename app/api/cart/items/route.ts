// POST /api/cart/items — add a product (quantities add up on an existing line)
import { addItemSchema } from "@/lib/cart/schemas";
import { addItem } from "@/lib/cart/service";
import { sessionRoute } from "@/lib/http/session-route";

export const POST = sessionRoute({ mutation: true, body: true }, ({ session, body, mutation }) =>
  addItem(session, addItemSchema.parse(body), mutation),
);
