import type { Adapter, AdapterUser } from "next-auth/adapters";

// Emails from sign-in providers: stored trimmed and lower-cased (the unique index is on
// lower(email), db/schema.ts), and only when the provider verified them. Auth.js creates an
// OAuth user with `emailVerified: null` whatever the provider said, so the provider's word
// travels on the profile as `emailVerifiedByProvider` and the adapter's createUser records it.
export const VERIFIED_MARK = "emailVerifiedByProvider";

export interface ProviderEmail {
  email: string;
  primary?: boolean;
  verified?: boolean;
}

// GitHub's GET /user/emails: the primary address when verified, else another verified one
// (the profile's public email first), else null: an unverified address is never an account's.
export function pickVerifiedEmail(emails: readonly ProviderEmail[], preferred: string | null | undefined): string | null {
  const verified = emails.filter((e) => e.verified === true && typeof e.email === "string");
  const choice = verified.find((e) => e.primary) ?? verified.find((e) => preferred && e.email.toLowerCase() === preferred.toLowerCase()) ?? verified[0];
  return choice ? normalizeEmail(choice.email) : null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// The Auth.js adapter with every email written and looked up lower-cased, and a provider's
// verification recorded (a sign-up's never is: the credentials form writes through registerUser).
export function lowerCaseEmails(adapter: Adapter): Adapter {
  const normalized = <U extends Partial<AdapterUser>>(user: U): U => {
    const { [VERIFIED_MARK]: verified, ...rest } = user as U & { [VERIFIED_MARK]?: boolean };
    const out = { ...rest } as U;
    if (typeof out.email === "string") out.email = normalizeEmail(out.email);
    if (verified === true) out.emailVerified = new Date();
    return out;
  };
  return {
    ...adapter,
    createUser: adapter.createUser && ((user) => adapter.createUser!(normalized(user))),
    updateUser: adapter.updateUser && ((user) => adapter.updateUser!(normalized(user))),
    getUserByEmail: adapter.getUserByEmail && ((email) => adapter.getUserByEmail!(normalizeEmail(email))),
  };
}
