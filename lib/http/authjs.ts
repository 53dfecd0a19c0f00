import type { NextAuthResult } from "next-auth";
import { auth, signIn, signOut } from "../identity/config";
import { buildingPages, ConfigError, demoAccountsEnabled } from "../config/env";
import type { DemoAccount } from "../identity/demo-accounts";
import type { CartRuntime } from "../runtime/runtime";
import { signInForm, signOutForm, signUpForm } from "./auth-actions";
import { authjsRouteHandlers } from "./authjs-routes";

// The Auth.js integration: email + password accounts (argon2, guessing limits) and GitHub when
// AUTH_GITHUB_ID/SECRET are set, with sign-in merging the guest cart and rotating our session,
// and sign-out ending it whatever Auth.js finds. A host with another auth library skips this
// and calls cart.signedIn(user) / cart.signedOut() itself.
export interface AuthjsOptions {
  // Accounts seeded where demo accounts are enabled (never in production, where their passwords are refused).
  demoAccounts?: readonly DemoAccount[];
}

// Spelled out: the package's .d.ts must name Auth.js types through "next-auth", not its internal paths.
export interface AuthjsIdentity {
  handlers: ReturnType<typeof authjsRouteHandlers>;
  actions: { signIn: typeof signInForm; signUp: typeof signUpForm; signOut: typeof signOutForm };
  demoAccountsShown(): boolean;
  auth: NextAuthResult["auth"];
  signIn: NextAuthResult["signIn"];
  signOut: NextAuthResult["signOut"];
}

export function authjsIdentity(cart: { runtime: CartRuntime }, options: AuthjsOptions = {}): AuthjsIdentity {
  const runtime = cart.runtime;
  const settings = runtime.settings;
  if (settings.NODE_ENV === "production" && !buildingPages() && settings.AUTH_SECRET.length === 0) {
    throw new ConfigError(["AUTH_SECRET: is required in production (Auth.js; openssl rand -base64 32)"]);
  }
  runtime.demoAccounts = options.demoAccounts ?? [];
  // Everything Auth.js runs for this identity runs as the cart's instance (its settings, database, session cookie).
  const run = <F extends (...args: never[]) => unknown>(fn: F): F => runtime.bind(fn);
  const handlers = authjsRouteHandlers();
  return {
    // For app/api/auth/[...nextauth]/route.ts (POST /api/auth/register included).
    handlers: { GET: run(handlers.GET), POST: run(handlers.POST), PUT: run(handlers.PUT), PATCH: run(handlers.PATCH), DELETE: run(handlers.DELETE) },
    // The sign-in, sign-up and sign-out forms' actions; the host's "use server" file passes them through.
    actions: { signIn: run(signInForm), signUp: run(signUpForm), signOut: run(signOutForm) },
    // Whether the sign-in page may show the demo accounts (seeded here, never in production).
    demoAccountsShown: () => (options.demoAccounts?.length ?? 0) > 0 && demoAccountsEnabled(settings),
    auth: run(auth as (...args: never[]) => unknown) as NextAuthResult["auth"],
    signIn: run(signIn),
    signOut: run(signOut),
  };
}
