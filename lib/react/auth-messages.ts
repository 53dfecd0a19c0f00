// Friendly words for the sign-in and sign-up errors (`?error=CODE`) and the
// `returnTo` rule the auth pages share. Codes are the contract; wording is ours.
const signInMessages: Record<string, string> = {
  CredentialsSignin: "That email and password don't match an account. Check them and try again.",
};

const signUpMessages: Record<string, string> = {
  EMAIL_TAKEN: "An account with that email already exists.",
  VALIDATION_ERROR: "Enter a valid email address and a password of at least 8 characters.",
  COMMON_PASSWORD: "That password is one of the most common ones. Choose a less common password.",
};

const GENERIC_AUTH_ERROR = "We couldn't do that just now. Please try again in a moment.";
const BUSY = "Too many people are signing in right now. Please try again in a moment.";

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// "Too many attempts. Try again in N minutes.", from `?retryAfter=<seconds>` (whole minutes, rounded up).
export function tooManyAttemptsMessage(retryAfter: string | string[] | undefined): string {
  const seconds = Number(first(retryAfter));
  const minutes = Number.isFinite(seconds) && seconds > 0 ? Math.min(Math.ceil(seconds / 60), 7 * 24 * 60) : 1;
  return `Too many attempts. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
}

function message(table: Record<string, string>, value: string | string[] | undefined, retryAfter: string | string[] | undefined): string | null {
  const code = first(value);
  if (!code) return null;
  if (code === "RATE_LIMITED") return tooManyAttemptsMessage(retryAfter);
  if (code === "OVERLOADED") return BUSY;
  return Object.hasOwn(table, code) ? table[code]! : GENERIC_AUTH_ERROR;
}

// The sentence for `?error=` on /signin, or null when there is none.
export function signInErrorMessage(value: string | string[] | undefined, retryAfter?: string | string[]): string | null {
  return message(signInMessages, value, retryAfter);
}

// The sentence for `?error=` on /signup, or null when there is none.
export function signUpErrorMessage(value: string | string[] | undefined, retryAfter?: string | string[]): string | null {
  return message(signUpMessages, value, retryAfter);
}

export const DEFAULT_RETURN_TO = "/cart";

// A same-site path to go back to after signing in: it must start with one
// "/" (not "//", which is another host), hold no backslash, whitespace or
// control character, and not point at the auth pages themselves.
export function safeReturnTo(value: string | string[] | undefined): string {
  const path = first(value);
  if (!path || path.length > 512) return DEFAULT_RETURN_TO;
  if (!path.startsWith("/") || path.startsWith("//") || /[\\\s\u0000-\u001f\u007f]/.test(path)) return DEFAULT_RETURN_TO;
  if (/^\/(signin|signup)(?:[/?#]|$)/.test(path)) return DEFAULT_RETURN_TO;
  return path;
}

// `/signin?returnTo=…` (or /signup), leaving the default out of the URL.
export function authHref(page: "/signin" | "/signup", returnTo: string): string {
  return returnTo === DEFAULT_RETURN_TO ? page : `${page}?returnTo=${encodeURIComponent(returnTo)}`;
}
