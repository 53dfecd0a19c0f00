import { NextResponse, type NextRequest } from "next/server";
import type { IdempotencyContext } from "../cart/idempotency";
import { parseIdempotencyKey } from "../cart/idempotency";
import type { MutationOptions } from "../cart/service";
import type { CartView } from "../cart/types";
import { withRequestContext } from "./request-context";
import { cookieMaxAgeSeconds, sealSession, sessionCookieName, sessionCookieOptions, unsealSession } from "../session/cookie";
import type { Session } from "../session/session";
import { newSessionId, resolveUnsealed, saveSessionRecord, toCookie } from "../session/session";
import { toErrorResponse } from "./errors";
import { routePattern } from "./observed";
import { keyedRequest, runOnce } from "./once";
import { limitRoute } from "./rate-limit";
import { assertSameOrigin, readJsonBody } from "./request";

// The one wrapper every session route uses: origin check for changes, rate
// limits, body parsing, If-Match and Idempotency-Key, the session in and the
// cookie out, ETag and no-store on carts, and every error mapped to the
// contract's shape.
export interface RouteInput<P> {
  req: NextRequest;
  session: Session;
  params: P;
  body: unknown;
  // If-Match and Idempotency-Key, for the cart service.
  mutation: MutationOptions;
}

export type RouteOutput = { session: Session; status?: number } & ({ cart: CartView } | { json: unknown });

interface RouteOptions {
  // Changes state: origin-checked, If-Match and Idempotency-Key apply.
  mutation?: boolean;
  // Takes a JSON body.
  body?: boolean;
}

// -1 when the header is present but not one of our strong ETags: it never matches.
function parseIfMatch(header: string | null): number | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^"(\d{1,9})"$/.exec(header.trim());
  return match ? Number(match[1]) : -1;
}

async function respond(status: number, body: unknown, session: Session, extra: Record<string, string> = {}): Promise<NextResponse> {
  const headers = new Headers({ "Cache-Control": "no-store", ...extra });
  const version = (body as { version?: unknown; items?: unknown } | null)?.version;
  if (typeof version === "number" && Array.isArray((body as { items?: unknown }).items)) headers.set("ETag", `"${version}"`);
  const res = NextResponse.json(body, { status, headers });
  await writeSession(res, session);
  return res;
}

function outputBody(output: RouteOutput): { status: number; body: unknown } {
  return { status: output.status ?? 200, body: "cart" in output ? output.cart : output.json };
}

export async function sessionResponse(output: RouteOutput): Promise<NextResponse> {
  const { status, body } = outputBody(output);
  return respond(status, body, output.session);
}

// Saves the session record and sets the cookie on a response when it changed.
export async function writeSession(res: NextResponse, session: Session): Promise<void> {
  const saved = await saveSessionRecord(session);
  if (saved.cookieDirty) {
    const maxAge = cookieMaxAgeSeconds(saved.userId !== null);
    res.cookies.set(sessionCookieName(), await sealSession(toCookie(saved)), sessionCookieOptions(maxAge));
  }
}

// A keyed request, exactly once (lib/http/once.ts: the rules it shares with the server actions).
async function keyed(idem: IdempotencyContext, session: Session, run: () => Promise<RouteOutput>): Promise<NextResponse> {
  const result = await runOnce(idem, run, outputBody);
  if (!result.replayed) return sessionResponse(result.value);
  return respond(result.outcome.status, result.outcome.body, session, { "Idempotent-Replayed": "true" });
}

export function sessionRoute<P = Record<string, never>>(
  options: RouteOptions,
  handler: (input: RouteInput<P>) => Promise<RouteOutput>,
) {
  return (req: NextRequest, context: { params: Promise<P> }): Promise<Response> => {
    // Metrics label a request by its route's pattern, known once the params are (lib/http/observed.ts).
    let route = "(unmatched)";
    return withRequestContext(req, { route: () => route, admission: true }, async () => {
      try {
        const params = context?.params ? await context.params : ({} as P);
        route = routePattern(req.nextUrl.pathname, params as Record<string, string | string[] | undefined>);
        if (options.mutation) assertSameOrigin(req);
        // The session's record and the rate limit (lib/http/rate-limit.ts) are read together: both
        // need only the cookie, so they cost one store round trip, and both come before the body.
        const unsealed = await unsealSession(req.cookies.get(sessionCookieName())?.value);
        const sid = unsealed?.data.sid ?? newSessionId();
        const [session, limited] = await Promise.all([
          resolveUnsealed(unsealed, sid),
          // A visitor without a cookie has no session to count yet (the address limit still applies).
          limitRoute(req, unsealed ? sid : null, options.mutation ? "write" : "read"),
        ]);
        if (limited) return limited;
        const key = options.mutation ? parseIdempotencyKey(req.headers.get("idempotency-key")) : null;
        const { value: body, text } = options.body ? await readJsonBody(req) : { value: undefined, text: "" };
        const idempotency = key ? keyedRequest(session, key, { method: req.method, path: req.nextUrl.pathname, body: text }) : undefined;
        const mutation: MutationOptions = { expectedVersion: parseIfMatch(req.headers.get("if-match")), idempotency };
        const run = () => handler({ req, session, params, body, mutation });
        return idempotency ? await keyed(idempotency, session, run) : await sessionResponse(await run());
      } catch (err) {
        return toErrorResponse(err);
      }
    });
  };
}
