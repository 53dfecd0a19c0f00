import { NextResponse, type NextRequest } from "next/server";
import type { CartView } from "@/lib/cart/types";
import type { Session } from "@/lib/session/session";
import { resolveSession, saveSessionRecord, toCookie } from "@/lib/session/session";
import { cookieMaxAgeSeconds, sealSession, sessionCookieName, sessionCookieOptions } from "@/lib/session/cookie";
import { toErrorResponse } from "./errors";
import { limitRoute } from "./rate-limit";
import { assertSameOrigin, readJsonBody } from "./request";

/**
 * The one wrapper every session route uses: origin check for changes, body
 * parsing, the session in and the cookie out, ETag and no-store on carts,
 * and every error mapped to the contract's shape.
 */
export interface RouteInput<P> {
  req: NextRequest;
  session: Session;
  params: P;
  body: unknown;
  /** From If-Match; -1 when the header is present but not one of our strong ETags. */
  expectedVersion: number | undefined;
}

export type RouteOutput = { session: Session; status?: number } & ({ cart: CartView } | { json: unknown });

interface RouteOptions {
  /** Changes state: origin-checked. */
  mutation?: boolean;
  /** Takes a JSON body. */
  body?: boolean;
}

function parseIfMatch(header: string | null): number | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^"(\d{1,9})"$/.exec(header.trim());
  return match ? Number(match[1]) : -1;
}

export async function sessionResponse(output: RouteOutput): Promise<NextResponse> {
  const headers = new Headers({ "Cache-Control": "no-store" });
  let res: NextResponse;
  if ("cart" in output) {
    headers.set("ETag", `"${output.cart.version}"`);
    res = NextResponse.json(output.cart, { status: output.status ?? 200, headers });
  } else {
    res = NextResponse.json(output.json, { status: output.status ?? 200, headers });
  }
  await writeSession(res, output.session);
  return res;
}

/** Saves the session record and sets the cookie on a response when it changed. */
export async function writeSession(res: NextResponse, session: Session): Promise<void> {
  await saveSessionRecord(session);
  if (session.cookieDirty) {
    const maxAge = cookieMaxAgeSeconds(session.userId !== null);
    res.cookies.set(sessionCookieName(), await sealSession(toCookie(session)), sessionCookieOptions(maxAge));
  }
}

export function sessionRoute<P = Record<string, never>>(
  options: RouteOptions,
  handler: (input: RouteInput<P>) => Promise<RouteOutput>,
) {
  return async (req: NextRequest, context: { params: Promise<P> }): Promise<NextResponse> => {
    try {
      if (options.mutation) assertSameOrigin(req);
      const session = await resolveSession(req.cookies.get(sessionCookieName())?.value);
      // Rate limit (lib/http/rate-limit.ts), before the body is read so a flood costs little.
      const limited = await limitRoute(req, session.sid, options.mutation ? "write" : "read");
      if (limited) return limited;
      const body = options.body ? await readJsonBody(req) : undefined;
      const params = context?.params ? await context.params : ({} as P);
      const output = await handler({ req, session, params, body, expectedVersion: parseIfMatch(req.headers.get("if-match")) });
      return await sessionResponse(output);
    } catch (err) {
      return toErrorResponse(err);
    }
  };
}
