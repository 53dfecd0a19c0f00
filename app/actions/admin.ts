"use server";
// The operations dashboard's "Run cleanup now" (admins only, audited): the module's.
import { cart } from "@/app/_demo/cart";

export async function runCleanupNowAction() {
  return cart.admin.runCleanup();
}
