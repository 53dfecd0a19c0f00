import type { NextRequest } from "next/server";
import { handlers } from "../identity/config";
import type { RegisterInput } from "../identity/schemas";
import { registerOperation } from "../contract/operations";
import { registerUser } from "../identity/users";
import { withRequestLog } from "./request-context";
import { guardAuthRoutes, limitRegister } from "./auth-guard";
import { methodNotAllowed } from "./errors";
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

const REGISTER_PATH = "/api/auth/register";
// POST only on the register route; GET and POST on Auth.js's own.
const registerOnly = methodNotAllowed("POST");
const authjsOnly = methodNotAllowed("GET", "POST");

export function authjsRouteHandlers() {
  const guarded = guardAuthRoutes({ GET: handlers.GET, POST: endingOurSession(handlers.POST) });
  const auth = {
    GET: withRequestLog("/api/auth/[...nextauth]", (req) => guarded.GET(req as NextRequest)),
    POST: withRequestLog("/api/auth/[...nextauth]", (req) => guarded.POST(req as NextRequest)),
  };
  const other = (req: NextRequest) => (req.nextUrl.pathname === REGISTER_PATH ? registerOnly : authjsOnly).PUT(req);
  return {
    GET: (req: NextRequest) => (req.nextUrl.pathname === REGISTER_PATH ? registerOnly.GET(req) : auth.GET(req)),
    POST: (req: NextRequest) => (req.nextUrl.pathname === REGISTER_PATH ? register(req, undefined) : auth.POST(req)),
    PUT: other,
    PATCH: other,
    DELETE: other,
  };
}
