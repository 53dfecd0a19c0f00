"use server";
// Server actions for the storefront's forms: thin, they share the API's cart service.
import { runCartAction } from "@/lib/actions/cart-actions";
import { addItemFormSchema, removeItemFormSchema, setQuantityFormSchema } from "@/lib/cart/schemas";
import { addItem, clearCart, removeItem, setItemQuantity } from "@/lib/cart/service";

export async function addToCartAction(formData: FormData) {
  return runCartAction("add", formData, (session, fields, mutation) =>
    addItem(session, addItemFormSchema.parse(pick(fields, "productId", "quantity")), mutation),
  );
}

export async function setQuantityAction(formData: FormData) {
  return runCartAction("setQuantity", formData, (session, fields, mutation) => {
    const { productId, quantity } = setQuantityFormSchema.parse(pick(fields, "productId", "quantity"));
    return setItemQuantity(session, productId, quantity, mutation);
  });
}

export async function removeFromCartAction(formData: FormData) {
  return runCartAction("remove", formData, (session, fields, mutation) =>
    removeItem(session, removeItemFormSchema.parse(pick(fields, "productId")).productId, mutation),
  );
}

export async function clearCartAction(formData: FormData) {
  return runCartAction("clear", formData, (session, _fields, mutation) => clearCart(session, mutation));
}

/** Forms carry extra fields (js, returnTo, React's own); the schemas see only theirs. */
function pick(fields: Record<string, FormDataEntryValue>, ...names: string[]) {
  return Object.fromEntries(names.filter((n) => fields[n] !== undefined && fields[n] !== "").map((n) => [n, fields[n]]));
}
