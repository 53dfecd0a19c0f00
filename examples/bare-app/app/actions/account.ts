"use server";
// Stands in for the host's own sign-in: whatever auth library it uses, it tells the cart
// who signed in (the guest cart merges, the session rotates) and who signed out.
import { redirect } from "next/navigation";
import { cart } from "@/lib/cart";

export async function signInAsAda() {
  await cart.signedIn({ id: "ada", email: "ada@example.com" });
  redirect("/");
}

export async function signOut() {
  await cart.signedOut();
  redirect("/");
}
