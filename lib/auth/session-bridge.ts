import { mergeGuestCartIntoUser } from "@/lib/cart/merge";
import { commitSessionToCookies, sessionFromCookies } from "@/lib/session/next-cookies";
import type { Session } from "@/lib/session/session";
import { endSessionRecord, freshSession } from "@/lib/session/session";
import { recordUserSession, revokeUserSession } from "@/lib/session/user-sessions";

/**
 * Where Auth.js meets our session. Sign-in merges the guest cart into the
 * user's cart and rotates the session (a new id and a new sealed cookie; the
 * old guest session is ended). Sign-out revokes the session in Postgres and
 * the store, and leaves the device an empty guest cart.
 */
export async function beginUserSession(user: { id: string; email: string | null }): Promise<string> {
  const current = await sessionFromCookies();
  const guestCartId = current.userId === null ? current.cartId : null;
  const { userCartId, notices } = await mergeGuestCartIntoUser(guestCartId, user.id);
  const next: Session = { ...freshSession({ cartId: userCartId, userId: user.id, email: user.email }), notices };
  await recordUserSession(next.sid, user.id);
  await endPrevious(current);
  await commitSessionToCookies(next);
  return next.sid;
}

export async function endUserSession(): Promise<void> {
  const current = await sessionFromCookies();
  await endPrevious(current);
  await commitSessionToCookies(freshSession());
}

async function endPrevious(session: Session): Promise<void> {
  if (session.userId !== null) await revokeUserSession(session.sid);
  await endSessionRecord(session);
}
