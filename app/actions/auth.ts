"use server";
// The sign-in, sign-up and sign-out forms' actions (they work without JavaScript): the Auth.js integration's.
import { identity } from "@/app/_demo/cart";

export async function signInAction(formData: FormData) {
  await identity.actions.signIn(formData);
}

export async function signUpAction(formData: FormData) {
  await identity.actions.signUp(formData);
}

export async function signOutAction() {
  await identity.actions.signOut();
}
