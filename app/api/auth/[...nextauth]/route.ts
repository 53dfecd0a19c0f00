// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers),
// behind the body limit and the guessing limits (lib/http/auth-guard.ts)
import { handlers } from "@/lib/auth/config";
import { endingOurSession } from "@/lib/auth/sign-out";
import { guardAuthRoutes } from "@/lib/http/auth-guard";

// Sign-out ends our session whatever Auth.js finds (lib/auth/sign-out.ts).
export const { GET, POST } = guardAuthRoutes({ GET: handlers.GET, POST: endingOurSession(handlers.POST) });
