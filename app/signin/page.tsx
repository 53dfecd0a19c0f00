import type { Metadata } from "next";
import Link from "next/link";
import { signInAction } from "@/app/actions/auth";
import { cart, identity } from "@/app/_demo/cart";
import { SubmitButton, authHref, safeReturnTo, signInErrorMessage } from "next-cart/react";
import { EmailField, PasswordField } from "next-cart/react";

export const metadata: Metadata = { title: "Sign in" };

interface SignInPageProps {
  searchParams: Promise<{ error?: string | string[]; retryAfter?: string | string[]; returnTo?: string | string[] }>;
}

export default async function SignInPage({ searchParams }: SignInPageProps) {
  const query = await searchParams;
  const returnTo = safeReturnTo(query.returnTo);
  const error = signInErrorMessage(query.error, query.retryAfter);
  const { user } = await cart.getSessionForRender();
  // Only where the demo accounts are seeded and accepted: never in production (README).
  const showDemoHint = identity.demoAccountsShown();

  return (
    <div className="container">
      <section className="auth-card" aria-labelledby="signin-title">
        <h1 id="signin-title" className="auth-title">
          Sign in
        </h1>
        <p className="muted auth-lead">Your cart comes with you: anything you added as a guest joins your account&apos;s cart.</p>

        {user ? (
          <p className="notice notice-info" data-testid="already-signed-in">
            You&apos;re signed in as <strong>{user.email ?? "your account"}</strong>. <Link href={returnTo}>Continue</Link>
          </p>
        ) : null}

        {error ? (
          <p className="alert alert-error" role="alert" data-testid="auth-error">
            {error}
          </p>
        ) : null}

        <form action={signInAction} className="auth-form">
          <input type="hidden" name="returnTo" value={returnTo} />
          <EmailField id="signin-email" autoComplete="username" />
          <PasswordField id="signin-password" isNew={false} />
          <SubmitButton className="button button-primary button-block" pendingLabel="Signing in…" testId="signin-submit">
            Sign in
          </SubmitButton>
        </form>

        <p className="auth-switch">
          New here? <Link href={authHref("/signup", returnTo)}>Create an account</Link>
        </p>

        {showDemoHint ? (
          <p className="auth-hint" data-testid="demo-hint">
            Trying the demo? Sign in as <code>demo@example.com</code> with the password <code>demo-password</code>.
          </p>
        ) : null}
      </section>
    </div>
  );
}
