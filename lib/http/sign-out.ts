import type { NextRequest } from "next/server";
import { AppError } from "../errors";
import { assertSameOrigin } from "./request";
import { endUserSession } from "../identity/session-bridge";

type Handler = (req: NextRequest) => Promise<Response>;

// Auth.js's POST /api/auth/signout runs its signOut event only when it can read
// its own token (missing, expired or unreadable after an AUTH_SECRET change: no
// event). Our session is ended here first, on every sign-out request from our
// own origin, whatever Auth.js then finds; its response carries our new cookie.
export function endingOurSession(handler: Handler): Handler {
  return async (req) => {
    if (req.nextUrl.pathname.endsWith("/signout") && sameOrigin(req)) await endUserSession();
    return handler(req);
  };
}

function sameOrigin(req: NextRequest): boolean {
  try {
    assertSameOrigin(req);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}
