"use server";
// The cart components' server actions: the module's, passed through.
import { cart } from "@/app/_demo/cart";

export async function addToCartAction(formData: FormData) {
  return cart.actions.add(formData);
}

export async function setQuantityAction(formData: FormData) {
  return cart.actions.setQuantity(formData);
}

export async function removeFromCartAction(formData: FormData) {
  return cart.actions.remove(formData);
}

export async function clearCartAction(formData: FormData) {
  return cart.actions.clear(formData);
}

export async function setCartNoteAction(formData: FormData) {
  return cart.actions.note(formData);
}
