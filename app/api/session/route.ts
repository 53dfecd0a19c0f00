// GET /api/session — who the caller is and when the session ends
// DELETE /api/session — end the session (sign out, for API clients); the device gets a new guest session
import { endSession } from "@/lib/auth/session-bridge";
import { sessionRoute } from "@/lib/http/session-route";
import { describeSession } from "@/lib/session/describe";
import { freshSession } from "@/lib/session/session";

export const GET = sessionRoute({}, async ({ session }) => ({ session, json: await describeSession(session) }));

export const DELETE = sessionRoute({ mutation: true }, async ({ session }) => {
  await endSession(session);
  const next = freshSession();
  return { session: next, json: await describeSession(next) };
});
