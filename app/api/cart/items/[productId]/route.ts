// PATCH /api/cart/items/{productId} — set a line's quantity (0 removes it)
// DELETE /api/cart/items/{productId} — remove a line (also when already gone)
import { productIdSchema, setQuantitySchema } from "@/lib/cart/schemas";
import { removeItem, setItemQuantity } from "@/lib/cart/service";
import { sessionRoute } from "@/lib/http/session-route";

type Params = { productId: string };

export const PATCH = sessionRoute<Params>({ mutation: true, body: true }, ({ session, params, body, mutation }) => {
  const productId = productIdSchema.parse(params.productId);
  const { quantity } = setQuantitySchema.parse(body);
  return setItemQuantity(session, productId, quantity, mutation);
});

export const DELETE = sessionRoute<Params>({ mutation: true }, ({ session, params, mutation }) =>
  removeItem(session, productIdSchema.parse(params.productId), mutation),
);
