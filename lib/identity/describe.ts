import { findUserEmail } from "./users";
import type { Session } from "../session/session";
import { sessionExpiry } from "../session/session";

// The contract's GET /api/session body.
export async function describeSession(session: Session) {
  const email = session.userId === null ? null : (session.email ?? (await findUserEmail(session.userId)));
  return {
    user: session.userId === null ? null : { id: session.userId, email },
    ...sessionExpiry(session),
  };
}
