// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers),
// behind the body limit and the guessing limits (lib/http/auth-guard.ts)
import { handlers } from "@/lib/auth/config";
import { endingOurSession } from "@/lib/auth/sign-out";
import { guardAuthRoutes } from "@/lib/http/auth-guard";
import { withRequestLog } from "@/lib/observe/request-context";

// Sign-out ends our session whatever Auth.js finds (lib/auth/sign-out.ts).
const guarded = guardAuthRoutes({ GET: handlers.GET, POST: endingOurSession(handlers.POST) });
export const GET = withRequestLog("/api/auth/[...nextauth]", guarded.GET);
export const POST = withRequestLog("/api/auth/[...nextauth]", guarded.POST);
