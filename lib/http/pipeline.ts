import { redirect } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { isIdempotencyKey, parseIdempotencyKey } from "../cart/idempotency";
import type { OperationSpec } from "../contract/operations";
import { returnToSchema } from "../cart/schemas";
import type { MutationOptions } from "../cart/service";
import type { CartActionResult, CartView } from "../cart/types";
import { emptyCartView } from "../cart/view";
import { prefetchCachedCart } from "../cart/cache";
import { log } from "../log/logger";
import { cookieMaxAgeSeconds, sealSession, sessionCookieName, sessionCookieOptions, unsealSession } from "../session/cookie";
import { getCart } from "../session/cart";
import { commitSessionToCookies, nextRequestIo, type RequestIo } from "../session/next-cookies";
import type { Session } from "../session/session";
import { newSessionId, resolveUnsealed, saveSessionRecord, toCookie } from "../session/session";
import { overloadedError } from "./admission";
import { retryAfterSeconds, toAppError, toErrorResponse } from "./errors";
import { routePattern } from "./observed";
import { keyedRequest, runOnce } from "./once";
import { spendCreationBudget } from "./creation-budget";
import { checkRateLimit, clientAddress, rateLimited } from "./rate-limit";
import { assertSameHostOrigin, assertSameOrigin, publicOrigin, readJsonBody } from "./request";
import { withActionContext, withRequestContext } from "./request-context";
import { LIVE_HEADERS } from "../events/live";

// The one pipeline every session operation of the table (lib/contract/operations.ts) runs
// through, whichever transport brings it: origin check for changes, the session and the rate
// limit (read together: both need only the cookie, so they cost one store round trip), the
// input parsed by the operation's schemas, If-Match and Idempotency-Key (exactly once, lib/http/once.ts),
// the call, and the session saved. Two thin adapters bring requests in: a route handler's
// Request → Response, and a server action's FormData → action state. Request ids, admission,
// metrics and the log line are lib/http/request-context.ts's, for both.

// What the call of a session operation gets, and what it answers.
export interface SessionCallContext {
  session: Session;
  // If-Match and Idempotency-Key, for the cart service.
  mutation: MutationOptions;
  // The app's own origin as the browser sees it (for links).
  origin: string;
  // The request's headers, and its end (the client went away) where the transport has one.
  headers: Headers;
  signal?: AbortSignal;
  // The client's address behind a trusted proxy (lib/http/rate-limit.ts clientAddress), else null.
  address: string | null;
}

// A streaming operation (contentType "text/event-stream") answers its body as a stream.
export type CallOutput = { session: Session; status?: number } & ({ cart: CartView } | { json: unknown } | { stream: ReadableStream<Uint8Array> });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SessionCall = (context: SessionCallContext, input: any) => Promise<CallOutput>;

// A request as the pipeline sees it, whichever transport brought it.
interface Incoming {
  // For the idempotency fingerprint: the same key for another request is refused.
  method: string;
  path: string;
  headers: Headers;
  cookie: string | undefined;
  origin: string;
  assertOrigin(): void;
  idempotencyKey: string | null;
  ifMatch: number | undefined;
  // The operation's input, validated, and the text its fingerprint is made of.
  readInput(): Promise<{ input: unknown; text: string }>;
  signal?: AbortSignal;
}

// The outcome of one operation: an answer (with the session to save), or a failure (with the
// session, when it was resolved, so an action can show the cart beside the error).
type Result = { ok: true; status: number; body: unknown; session: Session; replayed: boolean } | { ok: false; error: unknown; session: Session | null };

const outputOf = (output: CallOutput) => ({ status: output.status ?? 200, body: "cart" in output ? output.cart : "stream" in output ? output.stream : output.json });

async function runSessionOperation(op: OperationSpec, call: SessionCall, incoming: Incoming): Promise<Result> {
  let session: Session | null = null;
  try {
    if (op.changesCart) incoming.assertOrigin();
    const unsealed = await unsealSession(incoming.cookie);
    const sid = unsealed?.data.sid ?? newSessionId();
    // The cart this cookie reaches, read beside its session (one round trip) when the call reads it.
    if (unsealed?.data.cid && op.readsCart) prefetchCachedCart(unsealed.data.cid);
    const [resolved, verdict] = await Promise.all([
      resolveUnsealed(unsealed, sid),
      // A visitor without a cookie has no session to count yet (the address limit still applies).
      checkRateLimit({ sid: unsealed ? sid : null, address: clientAddress(incoming.headers) }, op.changesCart ? "write" : "read"),
    ]);
    session = resolved;
    if (verdict.limited) throw rateLimited(verdict);
    const address = clientAddress(incoming.headers);
    // A guest's change that will make a cart row (a cookie-less add): the anonymous-work budget.
    if (op.changesCart && session.newCart && session.userId === null) await spendCreationBudget("cart", address);
    const key = op.changesCart ? parseIdempotencyKey(incoming.idempotencyKey) : null;
    const { input, text } = await incoming.readInput();
    const idempotency = key ? keyedRequest(session, key, { method: incoming.method, path: incoming.path, body: text }) : undefined;
    const context: SessionCallContext = {
      session,
      mutation: { expectedVersion: incoming.ifMatch, idempotency },
      origin: incoming.origin,
      headers: incoming.headers,
      signal: incoming.signal,
      address,
    };
    if (!idempotency) {
      const output = await call(context, input);
      return { ok: true, ...outputOf(output), session: output.session, replayed: false };
    }
    const once = await runOnce(idempotency, () => call(context, input), outputOf);
    if (once.replayed) return { ok: true, status: once.outcome.status, body: once.outcome.body, session, replayed: true };
    return { ok: true, ...outputOf(once.value), session: once.value.session, replayed: false };
  } catch (error) {
    return { ok: false, error, session };
  }
}

// ---- Route handlers: Request → Response -------------------------------------------------

// -1 when the header is present but not one of our strong ETags: it never matches.
function parseIfMatch(header: string | null): number | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^"(\d{1,9})"$/.exec(header.trim());
  return match ? Number(match[1]) : -1;
}

// The operation's input from its path parameters and its body (or form fields), each checked
// by its own schema: a JSON body is strict (an unknown field, the path's parameter included, is
// refused); a form carries the host's own fields too, which are left out.
function parseInput(op: OperationSpec, params: Record<string, string>, fields: unknown, source: "body" | "form"): unknown {
  // A form names everything in its fields (the path's parameters too).
  const fromPath = source === "body" && op.params ? op.params.parse(params) : {};
  const schema = source === "body" ? op.body : op.form;
  if (!schema) return fromPath;
  const fromFields = source === "body" ? schema.parse(fields) : z.object(schema.shape).parse(fields);
  return { ...fromFields, ...fromPath };
}

// Saves the session record and sets the cookie on a response when it changed.
export async function writeSession(res: NextResponse, session: Session): Promise<void> {
  const saved = await saveSessionRecord(session);
  if (saved.cookieDirty) {
    res.cookies.set(sessionCookieName(), await sealSession(toCookie(saved)), sessionCookieOptions(cookieMaxAgeSeconds(saved.userId !== null)));
  }
}

// Whether If-None-Match names this ETag (weak comparison, as RFC 9110 says for it; `*` names any).
function noneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === etag;
  });
}

// `ifNoneMatch`: a GET's If-None-Match, answered 304 (no body) while the cart's version is the
// one named and it carries nothing to show once (notices).
async function respond(status: number, body: unknown, session: Session, replayed: boolean, ifNoneMatch: string | null = null): Promise<NextResponse> {
  if (body instanceof ReadableStream) {
    const res = new NextResponse(body, { status, headers: LIVE_HEADERS });
    await writeSession(res, session);
    return res;
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (replayed) headers.set("Idempotent-Replayed", "true");
  const cart = body as { version?: unknown; items?: unknown; notices?: unknown } | null;
  if (typeof cart?.version === "number" && Array.isArray(cart.items)) {
    const etag = `"${cart.version}"`;
    headers.set("ETag", etag);
    const quiet = !Array.isArray(cart.notices) || cart.notices.length === 0;
    if (status === 200 && quiet && noneMatch(ifNoneMatch, etag)) {
      const res = new NextResponse(null, { status: 304, headers });
      await writeSession(res, session);
      return res;
    }
  }
  const res = NextResponse.json(body, { status, headers });
  await writeSession(res, session);
  return res;
}

export function sessionRouteHandler(op: OperationSpec, call: SessionCall) {
  return (req: NextRequest, params: Record<string, string>): Promise<Response> =>
    withRequestContext(req, { route: routePattern(req.nextUrl.pathname, params), admission: !op.exemptFromAdmission }, async () => {
      const incoming: Incoming = {
        method: req.method,
        path: req.nextUrl.pathname,
        headers: req.headers,
        cookie: req.cookies.get(sessionCookieName())?.value,
        origin: publicOrigin(req.headers, req.nextUrl.host),
        assertOrigin: () => assertSameOrigin(req),
        idempotencyKey: req.headers.get("idempotency-key"),
        ifMatch: op.ifMatch ? parseIfMatch(req.headers.get("if-match")) : undefined,
        async readInput() {
          const { value, text } = op.body ? await readJsonBody(req) : { value: undefined, text: "" };
          return { input: parseInput(op, params, value, "body"), text };
        },
        signal: req.signal,
      };
      const result = await runSessionOperation(op, call, incoming);
      const ifNoneMatch = op.method === "GET" ? req.headers.get("if-none-match") : null;
      return result.ok ? respond(result.status, result.body, result.session, result.replayed, ifNoneMatch) : toErrorResponse(result.error);
    });
}

// ---- Server actions: FormData → action state ---------------------------------------------

// The fields that define the request (not the transport's own: js, returnTo, the key, React's).
// A field named `name[key]` (a line's property: `properties[Engraving]`) becomes `key` of the
// object `name`; an empty field is left out.
function fieldsOf(formData: FormData): Record<string, string | Record<string, string>> {
  const fields: Record<string, string | Record<string, string>> = {};
  for (const [name, value] of formData.entries()) {
    if (["js", "returnTo", "idempotencyKey"].includes(name) || name.startsWith("$ACTION")) continue;
    if (typeof value !== "string" || value === "") continue;
    const nested = /^([A-Za-z][A-Za-z0-9]*)\[([^\]]+)\]$/.exec(name);
    if (nested) {
      const [, group, key] = nested;
      const existing = fields[group!];
      const object = typeof existing === "object" ? existing : (Object.create(null) as Record<string, string>);
      object[key!] = value;
      fields[group!] = object;
    } else {
      fields[name] = value;
    }
  }
  return fields;
}

// `retryAfter` (seconds) tells the cart provider a refusal is transient, as Retry-After does for the API.
function describe(err: unknown): { code: string; message: string; retryAfter?: number } {
  const known = toAppError(err);
  if (!known) {
    log.error("action failed", { err });
    return { code: "INTERNAL_ERROR", message: "Something went wrong on our side." };
  }
  const retryAfter = retryAfterSeconds(known);
  return retryAfter === undefined ? { code: known.code, message: known.message } : { code: known.code, message: known.message, retryAfter };
}

async function currentCart(session: Session | null): Promise<CartView> {
  if (!session) return emptyCartView();
  try {
    return (await getCart(session)).cart;
  } catch {
    return emptyCartView();
  }
}

function withError(path: string, code: string): string {
  const url = new URL(path, "http://local");
  url.searchParams.set("cartError", code);
  return `${url.pathname}${url.search}`;
}

// With JavaScript (`js=1`) the state goes back to the provider; a plain form post is redirected to its page.
function answerFor(formData: FormData, result: ActionResult): ActionResult {
  if (formData.get("js") === "1") return result;
  const returnTo = returnToSchema.parse(formData.get("returnTo") ?? "/cart");
  redirect(result.ok ? returnTo : withError(returnTo, result.error.code));
}

// An action's state: the operation's output (a cart for the cart operations) or its refusal, with the cart beside it.
export type ActionResult<T = unknown> = { ok: true; cart: CartView; data: T } | { ok: false; cart: CartView; error: { code: string; message: string; retryAfter?: number } };

// A stored outcome as an action's state: a refusal stored no cart (except a version conflict's),
// so the current one is shown beside it — the refusal changed nothing.
async function stateOf(status: number, body: unknown, session: Session): Promise<ActionResult> {
  const isCart = (value: unknown): value is CartView => typeof value === "object" && value !== null && Array.isArray((value as CartView).items);
  if (status < 300) return { ok: true, cart: isCart(body) ? body : await currentCart(session), data: body };
  const { error, cart } = body as { error: { code: string; message: string }; cart?: CartView };
  return { ok: false, error: { code: error.code, message: error.message }, cart: cart ?? (await currentCart(session)) };
}

export function sessionAction(op: OperationSpec, call: SessionCall, io: RequestIo = nextRequestIo) {
  return (formData: FormData): Promise<ActionResult> =>
    withActionContext(
      op.id,
      async () => {
        const requestHeaders = await io.headers();
        const fields = fieldsOf(formData);
        const key = formData.get("idempotencyKey");
        const incoming: Incoming = {
          method: "ACTION",
          path: op.id,
          headers: requestHeaders,
          cookie: await io.cookie(sessionCookieName()),
          origin: publicOrigin(requestHeaders),
          assertOrigin: () => assertSameHostOrigin(requestHeaders),
          // A form's key makes a double submit apply once; anything that is not a key is ignored (not refused).
          idempotencyKey: isIdempotencyKey(key) ? key : null,
          ifMatch: undefined,
          readInput: async () => ({ input: parseInput(op, {}, fields, "form"), text: JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))) }),
        };
        const result = await runSessionOperation(op, call, incoming);
        if (!result.ok) {
          // A cookie from before a sign-in or sign-out (SESSION_ROTATED) sets no cookie and shows no cart.
          return answerFor(formData, { ok: false, error: describe(result.error), cart: await currentCart(result.session) });
        }
        const saved = await commitSessionToCookies(result.session, io);
        return answerFor(formData, await stateOf(result.status, result.body, saved));
      },
      // Past the process's capacity: nothing is read or written; the provider retries after the wait.
      () => {
        const { body, retryAfter } = overloadedError();
        return answerFor(formData, { ok: false, error: { code: body.error.code, message: body.error.message, retryAfter: Number(retryAfter) }, cart: emptyCartView() });
      },
      io,
    );
}

// The cart components' shape of an action's state (CartActionResult): the cart, or the refusal beside it.
export function asCartActionResult(result: ActionResult): CartActionResult {
  return result.ok ? { ok: true, cart: result.cart } : { ok: false, cart: result.cart, error: result.error };
}
