import { headers } from "next/headers";
import type { NextResponse } from "next/server";
import { admitted } from "./admission";
import { runWithLogContext } from "../log/context";
import { log } from "../log/logger";
import { isValidRequestId, newRequestId, REQUEST_ID_HEADER } from "../log/request-id";
import { responsesLogged } from "../observe/http-log";
import { recordRequest } from "../observe/metrics";

// The request's id, for every line logged while serving it. proxy.ts has
// already chosen it (a trusted proxy's, or a new one), put it on the request
// and on the response; handlers, server actions and page reads take it from
// the request headers into AsyncLocalStorage here.
export function requestIdOf(source: Headers): string {
  const id = source.get(REQUEST_ID_HEADER);
  // Only reached without proxy.ts (a route its matcher skips): still never an unvalidated value.
  return isValidRequestId(id) ? id : newRequestId();
}

const elapsedMs = (started: number) => Math.round((performance.now() - started) * 10) / 10;

// A route handler's work in the request's log context, timed once for both
// the metrics (by route pattern; `route` may be known only once the params
// are) and its `request` line (unless lib/observe/http-log.ts logs every
// response of this process already).
export async function withRequestContext<R extends Response>(req: Request, route: string | (() => string), run: () => Promise<R>): Promise<R | NextResponse> {
  return runWithLogContext({ requestId: requestIdOf(req.headers) }, async () => {
    const started = performance.now();
    let status = 500;
    try {
      // Past the process's capacity, a 503 OVERLOADED before any work (lib/http/admission.ts).
      const res = await admitted(req, run);
      status = res.status;
      return res;
    } finally {
      recordRequest(typeof route === "string" ? route : route(), req.method, status, (performance.now() - started) / 1000);
      // The path only: a query string may carry a token (redaction would catch it, but it is noise too).
      if (!responsesLogged()) log.info("request", { method: req.method, route: new URL(req.url).pathname, status, durationMs: elapsedMs(started) });
    }
  });
}

// A route handler (not a session route: those use sessionRoute) wrapped by withRequestContext.
export function withRequestLog<Q extends Request, A extends unknown[], R extends Response>(route: string, handler: (req: Q, ...rest: A) => Promise<R>) {
  return (req: Q, ...rest: A): Promise<R | NextResponse> => withRequestContext(req, route, () => handler(req, ...rest));
}

// Next.js's redirect() and notFound() throw to finish an action; they are outcomes, not failures.
function outcomeOf(err: unknown): string {
  const digest = (err as { digest?: unknown } | null)?.digest;
  if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return "redirect";
  if (typeof digest === "string" && digest.startsWith("NEXT_HTTP_ERROR_FALLBACK")) return "not_found";
  return "error";
}

// A server action in its request's log context (from headers(): actions get no Request), with one `action` line.
export async function withActionContext<T>(action: string, run: () => Promise<T>): Promise<T> {
  const requestId = requestIdOf(await headers());
  return runWithLogContext({ requestId }, async () => {
    const started = performance.now();
    let outcome = "ok";
    try {
      return await run();
    } catch (err) {
      outcome = outcomeOf(err);
      throw err;
    } finally {
      log.info("action", { action, outcome, durationMs: elapsedMs(started) });
    }
  });
}

// Server rendering's reads in the request's log context (no line of its own: pages have no wrapper to time them).
export async function withRenderContext<T>(run: () => Promise<T>): Promise<T> {
  return runWithLogContext({ requestId: requestIdOf(await headers()) }, run);
}
