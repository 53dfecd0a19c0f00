// GET /api/session — who the caller is and when the session ends
import { describeSession } from "@/lib/session/describe";
import { sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute({}, async ({ session }) => ({ session, json: await describeSession(session) }));
