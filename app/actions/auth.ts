"use server";
// Server actions for the sign-in, sign-up and sign-out forms (they work without JavaScript).
import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn, signOut } from "@/lib/auth/config";
import { credentialsSchema, registerSchema } from "@/lib/auth/schemas";
import { endUserSession } from "@/lib/auth/session-bridge";
import { registerUser } from "@/lib/auth/users";
import { returnToSchema } from "@/lib/cart/schemas";
import { toAppError } from "@/lib/http/errors";
import { withActionContext } from "@/lib/observe/request-context";

function field(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

function back(page: "/signin" | "/signup", error: string, returnTo: string): never {
  redirect(`${page}?error=${encodeURIComponent(error)}&returnTo=${encodeURIComponent(returnTo)}`);
}

async function signInWith(email: string, password: string, returnTo: string, page: "/signin" | "/signup") {
  try {
    await signIn("credentials", { email, password, redirectTo: returnTo });
  } catch (err) {
    // Success arrives as a redirect "error" from signIn and must propagate.
    if (err instanceof AuthError) back(page, "CredentialsSignin", returnTo);
    throw err;
  }
}

export async function signInAction(formData: FormData) {
  await withActionContext("signIn", () => signInForm(formData));
}

async function signInForm(formData: FormData) {
  const returnTo = returnToSchema.parse(field(formData, "returnTo") || "/cart");
  const parsed = credentialsSchema.safeParse({ email: field(formData, "email"), password: field(formData, "password") });
  if (!parsed.success) back("/signin", "CredentialsSignin", returnTo);
  await signInWith(parsed.data.email, parsed.data.password, returnTo, "/signin");
}

export async function signUpAction(formData: FormData) {
  await withActionContext("signUp", () => signUpForm(formData));
}

async function signUpForm(formData: FormData) {
  const returnTo = returnToSchema.parse(field(formData, "returnTo") || "/cart");
  const parsed = registerSchema.safeParse({ email: field(formData, "email"), password: field(formData, "password") });
  if (!parsed.success) back("/signup", "VALIDATION_ERROR", returnTo);
  try {
    await registerUser(parsed.data);
  } catch (err) {
    const known = toAppError(err);
    if (known) back("/signup", known.code, returnTo);
    throw err;
  }
  await signInWith(parsed.data.email, parsed.data.password, returnTo, "/signup");
}

export async function signOutAction() {
  await withActionContext("signOut", async () => {
    // Ours first: Auth.js's own sign-out skips its event when it cannot read its token.
    await endUserSession();
    await signOut({ redirectTo: "/cart" });
  });
}
