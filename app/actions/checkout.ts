"use server";
// The demo's checkout: "Checkout" (cart page and drawer) starts one and shows its review page;
// "Place order" records a demo order and completes the checkout; "Back to cart" cancels it.
// Plain form actions: they work without JavaScript too.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { cart } from "@/app/_demo/cart";
import { placeOrder } from "@/app/_demo/orders";

export async function startCheckoutAction(formData: FormData) {
  const form = new FormData();
  form.set("js", "1");
  const key = formData.get("idempotencyKey");
  if (typeof key === "string") form.set("idempotencyKey", key);
  const result = await cart.operations.createCheckout(form);
  if (!result.ok) redirect(`/cart?cartError=${encodeURIComponent(result.error.code)}`);
  redirect("/checkout");
}

export async function placeOrderAction(formData: FormData) {
  const checkout = await cart.getCheckoutForRender();
  // Only the shopper's own latest checkout, and the one the review page showed.
  if (!checkout || checkout.id !== formData.get("checkoutId")) redirect("/checkout");
  if (checkout.status === "cancelled") redirect("/checkout");
  await placeOrder(checkout);
  // The layout's cart too: the shopper now has a new cart (no cookie changed, so Next.js would
  // otherwise keep the layout it rendered before).
  revalidatePath("/", "layout");
  redirect("/checkout/confirmation");
}

export async function cancelCheckoutAction() {
  const form = new FormData();
  form.set("js", "1");
  await cart.operations.cancelCheckout(form);
  redirect("/cart");
}
