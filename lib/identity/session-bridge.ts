import { mergeGuestCartIntoUser } from "../cart/merge";
import { rememberOwnerEmail } from "../events/owners";
import { commitSessionToCookies, nextRequestIo, sessionFromCookiesOrFresh, type RequestIo } from "../session/next-cookies";
import type { Session } from "../session/session";
import { endSessionRecord, freshSession } from "../session/session";
import { recordUserSession, revokeUserSession } from "../session/user-sessions";

// Where sign-in and sign-out meet our session. Sign-in merges the guest cart
// into the user's cart and rotates the session (a new id and a new sealed
// cookie; the old guest session is ended). Sign-out is ours alone: it never
// depends on Auth.js finding its own token, revokes the session in Postgres
// (retried) and the store, and leaves the device a fresh guest cookie.

export async function beginUserSession(user: { id: string; email: string | null }, io: RequestIo = nextRequestIo): Promise<string> {
  const current = await sessionFromCookiesOrFresh(io);
  const guestCartId = current.userId === null ? current.cartId : null;
  // Before the merge, so its event carries the email (lib/events/owners.ts).
  await rememberOwnerEmail(user.id, user.email);
  const { userCartId, notices } = await mergeGuestCartIntoUser(guestCartId, user.id);
  const next: Session = { ...freshSession({ cartId: userCartId, userId: user.id, email: user.email }), notices };
  await recordUserSession(next.sid, user.id);
  await endSession(current);
  await commitSessionToCookies(next, io);
  return next.sid;
}

// Ends whatever session the request's cookie carries and gives the device a new guest cookie.
export async function endUserSession(io: RequestIo = nextRequestIo): Promise<void> {
  await endSession(await sessionFromCookiesOrFresh(io));
  await commitSessionToCookies(freshSession(), io);
}

// Ends one session: revoked in Postgres when signed in (retried), a tombstone in the store.
export async function endSession(session: Session): Promise<void> {
  // Postgres first: it is the authority; the tombstone only saves later lookups.
  if (session.userId !== null) await revokeUserSession(session.sid);
  await endSessionRecord(session);
}
