import { NextRequest } from "next/server";
import { checkRegister, checkSignIn, signInFailed, signInLane, signInSucceeded, type SignInLane } from "../identity/guess-limit";
import { withHashSlot, withoutHash } from "../identity/password";
import { accountExists } from "../identity/users";
import { env } from "../config/env";
import { toErrorResponse } from "./errors";
import { clientAddress, rateLimitedResponse } from "./rate-limit";
import { MAX_BODY_BYTES, publicOrigin, readLimitedBytes } from "./request";

// What stands in front of Auth.js's own routes (/api/auth/*): every POST body
// is held to 16 KiB before Auth.js reads it; a credentials sign-in is counted
// against the guessing limits (lib/identity/guess-limit.ts) before any hash;
// forwarded host names are dropped unless a proxy is trusted. A request that
// passes reaches Auth.js unchanged, so its redirects and JSON answers stay
// what clients know.
type AuthHandler = (req: NextRequest) => Promise<Response>;

const CREDENTIALS_CALLBACK = "/api/auth/callback/credentials";

// The same request with the body we already read, and the host as the client reached us.
function rebuild(req: NextRequest, body?: Buffer): NextRequest {
  const headers = new Headers(req.headers);
  // Auth.js builds its redirect URLs from X-Forwarded-Host and -Proto (their left-most entry): it gets
  // the one value our rule chose (lib/http/request.ts publicOrigin), never a client's extra entries.
  const config = env();
  if (config.TRUST_PROXY > 0 || config.PUBLIC_ORIGIN) {
    const origin = new URL(publicOrigin(req.headers, req.nextUrl.host));
    headers.set("x-forwarded-host", origin.host);
    headers.set("x-forwarded-proto", origin.protocol.slice(0, -1));
  } else {
    const host = req.headers.get("host");
    if (host) headers.set("x-forwarded-host", host);
    else headers.delete("x-forwarded-host");
  }
  if (body) {
    headers.delete("transfer-encoding");
    headers.set("content-length", String(body.byteLength));
  }
  return new NextRequest(req.url, { method: req.method, headers, body: body && body.byteLength > 0 ? new Uint8Array(body) : undefined });
}

// The email as Auth.js will read it: JSON or a form, where a repeated field's last value wins.
function emailOf(req: NextRequest, body: Buffer): string | null {
  const type = req.headers.get("content-type") ?? "";
  let value: unknown;
  if (type.includes("application/json")) {
    try {
      value = (JSON.parse(body.toString("utf8")) as { email?: unknown } | null)?.email;
    } catch {
      return null;
    }
  } else if (type.includes("application/x-www-form-urlencoded")) {
    value = new URLSearchParams(body.toString("utf8")).getAll("email").at(-1);
  }
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

// Reads Auth.js's answer: a redirect (or `{url}` for X-Auth-Return-Redirect) without `error` is a sign-in.
async function signedIn(res: Response): Promise<boolean> {
  let location = res.headers.get("location");
  if (!location && res.headers.get("content-type")?.includes("application/json")) {
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { url?: unknown } | null;
    location = typeof body?.url === "string" ? body.url : null;
  }
  return location !== null && !new URL(location, "http://localhost").searchParams.has("error");
}

async function credentialsSignIn(req: NextRequest, body: Buffer, handler: AuthHandler): Promise<Response> {
  const email = emailOf(req, body);
  const verdict = await checkSignIn(email, clientAddress(req.headers));
  if (verdict.limited) return rateLimitedResponse({ limited: true, retryAfterSeconds: verdict.retryAfterSeconds });
  let res: Response;
  let lane: SignInLane = "unknown";
  try {
    lane = await signInLane(email, accountExists);
    // Past half the failed-sign-in budget an unknown account takes no hash slot (lib/identity/guess-limit.ts).
    res = lane === "no-hash" ? await withoutHash(() => handler(rebuild(req, body))) : await withHashSlot(() => handler(rebuild(req, body)), lane);
  } catch (err) {
    return toErrorResponse(err);
  }
  if (email && (await signedIn(res))) await signInSucceeded(email);
  else await signInFailed(lane);
  return res;
}

export function guardAuthRoutes(handlers: { GET: AuthHandler; POST: AuthHandler }) {
  return {
    GET: (req: NextRequest) => handlers.GET(rebuild(req)),
    async POST(req: NextRequest): Promise<Response> {
      let body: Buffer;
      try {
        body = await readLimitedBytes(req, MAX_BODY_BYTES);
      } catch (err) {
        return toErrorResponse(err);
      }
      if (req.nextUrl.pathname === CREDENTIALS_CALLBACK) return credentialsSignIn(req, body, handlers.POST);
      return handlers.POST(rebuild(req, body));
    },
  };
}

// Sign-ups per address and in all, counted before the body is read (and so before its hash).
export function limitRegister<C>(handler: (req: NextRequest, context: C) => Promise<Response>) {
  return async (req: NextRequest, context: C): Promise<Response> => {
    const verdict = await checkRegister(clientAddress(req.headers));
    if (verdict.limited) return rateLimitedResponse({ limited: true, retryAfterSeconds: verdict.retryAfterSeconds });
    return handler(req, context);
  };
}
