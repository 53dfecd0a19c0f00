import { adminEmails, env } from "../config/env";
import { AppError } from "../errors";
import { describeSession } from "../identity/describe";
import type { Session } from "../session/session";

// Whether a signed-in email is one of ADMIN_EMAILS, or the demo's admin by default (compared lower-cased).
export function isAdminEmail(email: string | null | undefined): boolean {
  return typeof email === "string" && adminEmails(env()).includes(email.trim().toLowerCase());
}

// The admin's email, or NOT_FOUND: to anyone else the admin routes do not
// exist (a 404, as the /admin page answers), so they learn nothing of them.
export async function requireAdmin(session: Session): Promise<string> {
  if (session.userId !== null) {
    const { user } = await describeSession(session);
    if (user && isAdminEmail(user.email)) return user.email!;
  }
  throw new AppError("NOT_FOUND", "Not found.");
}
