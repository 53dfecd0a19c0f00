import { headers } from "next/headers";
import { NextResponse } from "next/server";
import { env } from "../config/env";
import { log, logRequest } from "../log/logger";
import { chooseRequestId, isValidRequestId, REQUEST_ID_HEADER } from "../log/request-id";
import { requestIdAssigned } from "./node-requests";
import { responsesLogged } from "../observe/http-log";
import { recordRequest } from "../observe/metrics";
import { currentContext, currentRuntime, runInContext } from "../runtime/context";
import { nextRequestIo, type RequestIo } from "../session/next-cookies";
import { admit, overloadedError } from "./admission";
import { publicOrigin } from "./request";
import { withSecurityHeaders } from "./security-headers";

// The one pipeline's outer steps, shared by both transports (route handlers and server
// actions): the request's id (a trusted proxy's X-Request-Id with TRUST_PROXY, else a new
// one) in the context of every line logged while serving it, admission control, the
// request's metrics and its log line. No Next.js proxy runs in front: everything per-request
// is here, paid only by the module's own requests.
export function requestIdOf(source: Headers, trustProxy = env().TRUST_PROXY > 0): string {
  const incoming = source.get(REQUEST_ID_HEADER);
  // Assigned as the request came in (lib/http/node-requests.ts): already ours. Anything else is
  // the client's own writing unless a trusted proxy set it.
  if (isValidRequestId(incoming) && requestIdAssigned(incoming)) return incoming;
  return chooseRequestId(incoming, trustProxy);
}

const elapsedMs = (started: number) => Math.round((performance.now() - started) * 10) / 10;

// Runs `fn` with `requestId` added to the current instance's context.
function withRequestId<T>(requestId: string, fn: () => T): T {
  return runInContext({ runtime: currentRuntime(), requestId }, fn);
}

// Health and metrics stay answerable when the process is saturated: an orchestrator must not kill a busy instance.
export interface RouteTiming {
  // The metrics label (the route's pattern), known once the route matched.
  route: string | (() => string);
  admission: boolean;
}

// A route handler's work in the request's context, admitted, timed once for both the metrics
// and its `request` line (unless lib/observe/http-log.ts logs every response of this process).
export async function withRequestContext(req: Request, timing: RouteTiming, run: () => Promise<Response>): Promise<Response> {
  // The route handlers enter the instance with the request's id already (lib/http/routes.ts): one context, not two.
  const entered = currentContext()?.requestId;
  const requestId = entered ?? requestIdOf(req.headers);
  const serve = async () => {
    const started = performance.now();
    let status = 500;
    try {
      const res = secured(req, timing.admission ? await admit(run, overloadedResponse) : await run(), requestId);
      status = res.status;
      return res;
    } finally {
      recordRequest(typeof timing.route === "string" ? timing.route : timing.route(), req.method, status, (performance.now() - started) / 1000);
      // The path only: a query string may carry a token (redaction would catch it, but it is noise too).
      if (!responsesLogged()) logRequest({ method: req.method, route: new URL(req.url).pathname, status, durationMs: elapsedMs(started) });
    }
  };
  return entered ? serve() : withRequestId(requestId, serve);
}

// The security headers on one of the module's answers (HSTS only in production and only on an
// answer that went out over HTTPS, as the browser reached us), and its request id when given.
// Once per answer: one that has them already (the route handlers' own, which pass through this
// twice: their catch-all route and the operation's context) is returned as it is.
export function secured(req: Request, res: Response, requestId?: string): Response {
  if (res.headers.has("X-Frame-Options")) return res;
  const hsts = env().NODE_ENV === "production" && publicOrigin(req.headers, "localhost").startsWith("https:");
  return withSecurityHeaders(res, { hsts, requestId });
}

function overloadedResponse(): Response {
  const { body, retryAfter } = overloadedError();
  return NextResponse.json(body, { status: 503, headers: { "Retry-After": retryAfter, "Cache-Control": "no-store" } });
}

// A route handler outside the cart's table (Auth.js's, the recovery form) in the same context.
export function withRequestLog<A extends unknown[]>(route: string, handler: (req: Request, ...rest: A) => Promise<Response>) {
  return (req: Request, ...rest: A): Promise<Response> => withRequestContext(req, { route, admission: true }, () => handler(req, ...rest));
}

// Next.js's redirect() and notFound() throw to finish an action; they are outcomes, not failures.
function outcomeOf(err: unknown): string {
  const digest = (err as { digest?: unknown } | null)?.digest;
  if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return "redirect";
  if (typeof digest === "string" && digest.startsWith("NEXT_HTTP_ERROR_FALLBACK")) return "not_found";
  return "error";
}

// A server action in its request's context (from headers(): actions get no Request), admitted
// like a route handler (a refusal is `overloaded()`'s value), counted in the request metrics
// under `action:<name>`, with one `action` line.
export async function withActionContext<T>(action: string, run: () => Promise<T>, overloaded: () => T | Promise<T>, io: RequestIo = nextRequestIo): Promise<T> {
  const requestId = requestIdOf(await io.headers());
  return withRequestId(requestId, async () => {
    const started = performance.now();
    let outcome = "ok";
    try {
      return await admit(run, async () => {
        outcome = "overloaded";
        return overloaded();
      });
    } catch (err) {
      outcome = outcomeOf(err);
      throw err;
    } finally {
      const status = outcome === "ok" || outcome === "redirect" ? 200 : outcome === "overloaded" ? 503 : outcome === "not_found" ? 404 : 500;
      recordRequest(`action:${action}`, "POST", status, (performance.now() - started) / 1000);
      log.info("action", { action, outcome, durationMs: elapsedMs(started) });
    }
  });
}

// Server rendering's reads in the request's context (no line of their own: pages have no wrapper to time them).
export async function withRenderContext<T>(run: () => Promise<T>): Promise<T> {
  return withRequestId(requestIdOf(await headers()), run);
}
