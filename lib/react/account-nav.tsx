"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { authHref, safeReturnTo } from "./auth-messages";
import { cx } from "./class-names";
import { SubmitButton } from "./submit-button";

export interface AccountNavProps {
  // The signed-in shopper, or null for a guest.
  user: { email: string | null } | null;
  // The app's sign-out server action (a form post, so it works without JavaScript).
  signOutAction: (formData: FormData) => void | Promise<void>;
  className?: string;
}

function PersonIcon() {
  return (
    <svg className="nc-account-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <circle cx="12" cy="8.5" r="3.6" fill="none" stroke="currentColor" strokeWidth="1.8" />
      <path d="M4.8 20c.9-3.6 3.7-5.6 7.2-5.6s6.3 2 7.2 5.6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

// The header's account area: "Sign in" for a guest; the email and "Sign out" once signed in.
export function AccountNav({ user, signOutAction, className }: AccountNavProps) {
  const pathname = usePathname();

  if (!user) {
    // Come back to this page afterwards (the auth pages themselves fall back to the cart).
    return (
      <Link href={authHref("/signin", safeReturnTo(pathname ?? undefined))} className={cx("nc nc-account-link", className)} data-testid="sign-in-link">
        <PersonIcon />
        <span>Sign in</span>
      </Link>
    );
  }

  return (
    <div className={cx("nc nc-account", className)} data-testid="account">
      <span className="nc-account-email" title={user.email ?? undefined} data-testid="account-email">
        <PersonIcon />
        <span className="nc-visually-hidden">Signed in as </span>
        <span className="nc-account-email-text">{user.email ?? "Signed in"}</span>
      </span>
      <form action={signOutAction} className="nc-account-signout">
        <SubmitButton className="nc-account-link nc-account-button" pendingLabel="Signing out…" testId="sign-out">
          Sign out
        </SubmitButton>
      </form>
    </div>
  );
}
