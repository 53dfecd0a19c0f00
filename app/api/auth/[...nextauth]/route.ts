// /api/auth/* — Auth.js's own routes (csrf, callback/credentials, signout, session, providers),
// behind the body limit and the guessing limits (lib/http/auth-guard.ts)
import { handlers } from "@/lib/auth/config";
import { guardAuthRoutes } from "@/lib/http/auth-guard";

export const { GET, POST } = guardAuthRoutes(handlers);
