import { NextResponse, type NextRequest } from "next/server";
import { handlers } from "../identity/config";
import type { RegisterInput } from "../identity/schemas";
import { registerOperation } from "../contract/operations";
import { registerUser } from "../identity/users";
import { withRequestLog } from "./request-context";
import { guardAuthRoutes, limitRegister } from "./auth-guard";
import { errorBody } from "./errors";
import { sessionRouteHandler } from "./pipeline";
import { endingOurSession } from "./sign-out";

// The Auth.js integration's routes, for the host's app/api/auth/[...nextauth]/route.ts:
// Auth.js's own (csrf, callback/credentials, signout, session, providers) behind the body
// limit and the guessing limits, sign-out ending our session whatever Auth.js finds, and
// POST /api/auth/register (an account by email and password; it does not sign in).
const registerRoute = sessionRouteHandler(registerOperation, async ({ session }, input: RegisterInput) => ({
  session,
  status: 201,
  json: { user: await registerUser(input) },
}));
const register = limitRegister((req: NextRequest) => registerRoute(req, {}));

export function authjsRouteHandlers() {
  const guarded = guardAuthRoutes({ GET: handlers.GET, POST: endingOurSession(handlers.POST) });
  const auth = {
    GET: withRequestLog("/api/auth/[...nextauth]", (req) => guarded.GET(req as NextRequest)),
    POST: withRequestLog("/api/auth/[...nextauth]", (req) => guarded.POST(req as NextRequest)),
  };
  return {
    GET: (req: NextRequest) =>
      req.nextUrl.pathname === "/api/auth/register"
        ? Promise.resolve(
            NextResponse.json(errorBody("METHOD_NOT_ALLOWED", "GET is not allowed here."), {
              status: 405,
              headers: { Allow: "POST", "Cache-Control": "no-store" },
            }),
          )
        : auth.GET(req),
    POST: (req: NextRequest) =>
      req.nextUrl.pathname === "/api/auth/register" ? register(req, undefined) : auth.POST(req),
  };
}
