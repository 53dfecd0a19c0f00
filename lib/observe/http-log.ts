import type { IncomingMessage, ServerResponse } from "node:http";
import { subscribe } from "node:diagnostics_channel";
import { currentRuntime } from "../runtime/context";
import type { CartRuntime } from "../runtime/runtime";
import { logRequest } from "../log/logger";
import { isValidRequestId, REQUEST_ID_HEADER } from "../log/request-id";

// One `request` line per HTTP response of this process, pages, 404s and
// the module's own answers included, from Node's http diagnostics channels:
// the only place that sees every response's final status. Where there is
// no Node http server (some serverless hosts), route handlers log their own
// line instead (lib/http/request-context.ts).
interface Message {
  request: IncomingMessage;
  response: ServerResponse;
}

const key = Symbol.for("next-cart.http-log");
const ORIGINAL_URL = Symbol.for("next-cart.original-url");
const state = globalThis as { [key]?: boolean };

// True once this process logs every response here; the handlers' own line is then left out.
export function responsesLogged(): boolean {
  return state[key] === true;
}

// When the request came in, on the request itself (cheaper than a WeakMap beside it).
const STARTED = Symbol("next-cart.started");
type Timed = IncomingMessage & { [STARTED]?: number };

// Build output and images: many per page, and nothing an operator looks for.
const STATIC = /^\/(?:_next\/(?:static|image)\/|favicon\.ico$|icon\.svg$|products\/[^/]+\.svg$)/;

function onFinish(runtime: CartRuntime, { request, response }: Message) {
  const begun = (request as Timed)[STARTED];
  // The path as the client sent it, before lib/http/node-requests.ts read it for Next.js.
  const sent = (request as IncomingMessage & { [ORIGINAL_URL]?: string })[ORIGINAL_URL] ?? request.url;
  const route = (sent ?? "/").split("?")[0]!;
  const header = response.getHeader(REQUEST_ID_HEADER);
  const requestId = typeof header === "string" && isValidRequestId(header) ? header : undefined;
  const fields = {
    method: request.method,
    route,
    status: response.statusCode,
    durationMs: begun === undefined ? undefined : Math.round((performance.now() - begun) * 10) / 10,
    requestId,
  };
  logRequest(fields, STATIC.test(route) ? "debug" : "info", runtime.settings.LOG_LEVEL);
}

// Called as the instance that started the server (its LOG_LEVEL applies to these lines).
export function logEveryResponse(): void {
  if (state[key]) return;
  state[key] = true;
  const runtime = currentRuntime();
  subscribe("http.server.request.start", (message) => {
    ((message as Message).request as Timed)[STARTED] = performance.now();
  });
  subscribe("http.server.response.finish", (message) => {
    // A subscriber that throws would take the process down: a log line is never worth that.
    try {
      onFinish(runtime, message as Message);
    } catch {
      // nothing to do: the response has already gone
    }
  });
}
