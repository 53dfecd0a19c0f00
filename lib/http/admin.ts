import { adminEmails, env } from "../config/env";
import { AppError } from "../errors";
import { findUserIdentity } from "../identity/users";
import type { Session } from "../session/session";

// Whether a signed-in user may see /admin: by id (ADMIN_USER_IDS), or by an ADMIN_EMAILS address
// that a provider verified (cart_users.email_verified: a GitHub account's verified email; a
// sign-up's email is never verified, so registering an admin's address first gains nothing).
// Emails compare lower-cased, and one address is one account (the unique index on lower(email)).
// The demo's default admin (ADMIN_EMAILS unset, demo accounts seeded: never production) is the
// demo's own seeded account, whose password the demo publishes anyway.
export async function isAdmin(userId: string | null | undefined): Promise<boolean> {
  if (!userId) return false;
  const config = env();
  if (config.ADMIN_USER_IDS.includes(userId)) return true;
  const emails = adminEmails(config);
  if (emails.length === 0) return false;
  const identity = await findUserIdentity(userId);
  if (!identity?.email || !emails.includes(identity.email.trim().toLowerCase())) return false;
  return config.ADMIN_EMAILS.length === 0 || identity.emailVerified !== null;
}

// The admin's email (or id), or NOT_FOUND: to anyone else the admin routes do not
// exist (a 404, as the /admin page answers), so they learn nothing of them.
export async function requireAdmin(session: Session): Promise<string> {
  if (session.userId !== null && (await isAdmin(session.userId))) {
    return (await findUserIdentity(session.userId))?.email ?? session.userId;
  }
  throw new AppError("NOT_FOUND", "Not found.");
}
