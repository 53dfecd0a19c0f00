import { AppError } from "../errors";
import { priceStillValid, productById } from "./catalog";
import { currentRuntime } from "../runtime/context";
import { isoTime } from "../time";
import { cartLimits, currency, mutate, type MutationOptions } from "./changes";
import { addLine, clearLines, removeLine, setLineQuantity, setNote as setNoteRule } from "./domain";
import type { CartRef, Product } from "./types";

// The change rules of the cart API and the server actions: each is a pure domain rule
// (lib/cart/domain.ts) run by the change machinery (lib/cart/changes.ts). Recovery restores are
// lib/cart/restore.ts's, sign-in merges lib/cart/merge.ts's.
export { cartLimits, getCart, notifyChanged, successorCartId, type CartResult, type MutationOptions } from "./changes";
export { restoreSnapshot, type RestoreOutcome } from "./restore";

// A product a change may use: known to the catalog, on sale, in the cart's currency.
function sellable(product: Product | null, productId: string): Product {
  if (!product) throw new AppError("PRODUCT_NOT_FOUND", "There is no such product.", { productId });
  if (!product.active) throw new AppError("PRODUCT_UNAVAILABLE", `${product.name} is no longer available.`, { productId });
  if (product.currency !== currency()) {
    throw new AppError("PRODUCT_UNAVAILABLE", `${product.name} is not sold in ${currency()}.`, { productId });
  }
  return product;
}

export async function addItem(
  ref: CartRef,
  input: { productId: string; quantity: number; properties?: Record<string, string> },
  options: MutationOptions = {},
) {
  return mutate(
    "add",
    ref,
    {
      // Fresh from the catalog: the price a change uses is never a cached one. Or, where the catalog
      // can check a price in SQL, the cached one, checked in the fast path's statement.
      prepare: () => productById(input.productId, { fresh: true }),
      prepareGuarded: async () => {
        const product = await productById(input.productId);
        const guard = product?.active ? priceStillValid(product.id, product.price, product.currency) : null;
        return guard ? { prepared: product, guard } : null;
      },
      priced: (product) => (product ? [product] : []),
      fast: true,
      apply: (lines, _loaded, product) =>
        addLine(lines, { ...input, unitPrice: sellable(product, input.productId).price, now: isoTime(currentRuntime().now()) }, cartLimits()),
    },
    options,
  );
}

// A line by its lineId. A product's id is the lineId of its line without properties, so the
// /cart/items/{productId} routes call these with the product's id.
export async function setItemQuantity(ref: CartRef, lineId: string, quantity: number, options: MutationOptions = {}) {
  return mutate("set", ref, { apply: (lines) => setLineQuantity(lines, lineId, quantity, cartLimits()), fast: true }, options);
}

export async function removeItem(ref: CartRef, lineId: string, options: MutationOptions = {}) {
  return mutate("remove", ref, { apply: (lines) => removeLine(lines, lineId), fast: true }, options);
}

export async function setNote(ref: CartRef, note: string | null | undefined, options: MutationOptions = {}) {
  return mutate("note", ref, { apply: (lines, _loaded, _prepared, current) => setNoteRule(lines, current, note) }, options);
}

export async function clearCart(ref: CartRef, options: MutationOptions = {}) {
  return mutate("clear", ref, { apply: (lines) => clearLines(lines) }, options);
}
