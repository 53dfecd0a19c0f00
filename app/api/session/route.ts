// GET /api/session — who the caller is and when the session ends
import { sessionExpiry } from "@/lib/session/session";
import { sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute({}, async ({ session }) => ({
  session,
  json: { user: null, ...sessionExpiry(session) },
}));
