import type { Metadata } from "next";
import Link from "next/link";
import { signUpAction } from "@/app/actions/auth";
import { cart } from "@/app/_demo/cart";
import { SubmitButton, authHref, safeReturnTo, signUpErrorMessage } from "next-cart/react";
import { EmailField, PasswordField } from "next-cart/react";

export const metadata: Metadata = { title: "Create an account" };

interface SignUpPageProps {
  searchParams: Promise<{ error?: string | string[]; retryAfter?: string | string[]; returnTo?: string | string[] }>;
}

export default async function SignUpPage({ searchParams }: SignUpPageProps) {
  const query = await searchParams;
  const returnTo = safeReturnTo(query.returnTo);
  const error = signUpErrorMessage(query.error, query.retryAfter);
  const emailTaken = query.error === "EMAIL_TAKEN";
  const { user } = await cart.getSessionForRender();

  return (
    <div className="container">
      <section className="auth-card" aria-labelledby="signup-title">
        <h1 id="signup-title" className="auth-title">
          Create an account
        </h1>
        <p className="muted auth-lead">Keep your cart on every device. The items in your cart now come along.</p>

        {user ? (
          <p className="notice notice-info" data-testid="already-signed-in">
            You&apos;re signed in as <strong>{user.email ?? "your account"}</strong>. <Link href={returnTo}>Continue</Link>
          </p>
        ) : null}

        {error ? (
          <p className="alert alert-error" role="alert" data-testid="auth-error">
            {error}
            {emailTaken ? (
              <>
                {" "}
                <Link href={authHref("/signin", returnTo)}>Sign in instead</Link>, or use another email.
              </>
            ) : null}
          </p>
        ) : null}

        <form action={signUpAction} className="auth-form">
          <input type="hidden" name="returnTo" value={returnTo} />
          <EmailField id="signup-email" autoComplete="email" />
          <PasswordField id="signup-password" isNew={true} />
          <SubmitButton className="button button-primary button-block" pendingLabel="Creating your account…" testId="signup-submit">
            Create account
          </SubmitButton>
        </form>

        <p className="auth-switch">
          Already have an account? <Link href={authHref("/signin", returnTo)}>Sign in</Link>
        </p>
      </section>
    </div>
  );
}
