import type { IncomingMessage, ServerResponse } from "node:http";
import { chooseRequestId, REQUEST_ID_HEADER } from "../log/request-id";
import { subscribe } from "node:diagnostics_channel";
import { MAX_BODY_BYTES } from "./request";

// What every request of the process needs before Next.js reads it, done where Node hands each
// request over (its http diagnostics channel). Not in a Next.js proxy: a proxy costs every
// request of the host far more than these few checks.
//
// - Its id: a trusted proxy's X-Request-Id (TRUST_PROXY), else a new one, put on the request
//   (for the logs of pages, actions and routes alike) and on the response, pages included.
//
// Two requests Next.js answers with a bare 500 before any code of the host runs are read so
// that they reach the module's routes and get the contract's answer:
//
// - A path that is not valid percent-encoding (`/api/cart/items/%E0`, `/products/%zz`): its
//   stray `%` is read literally, so the request gets the ordinary answer for a bad value (422
//   VALIDATION_ERROR for a product id, 404 for a page).
// - A server action whose Content-Length is over the body limit: sent to the module's own
//   `<basePath>/.oversized`, which answers 413 without reading it. (A chunked body without a
//   Content-Length still meets Next.js's own limit, next.config.ts, after 16 KiB.)
export function literalStrayPercents(url: string): string {
  if (!url.includes("%")) return url;
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    const readable = path
      .split("/")
      .map((segment) => {
        try {
          decodeURIComponent(segment);
          return segment;
        } catch {
          return segment.replace(/%/g, "%25");
        }
      })
      .join("/");
    return queryAt === -1 ? readable : readable + url.slice(queryAt);
  }
}

// The path the module's route handlers answer with 413 PAYLOAD_TOO_LARGE (lib/http/routes.ts).
export const OVERSIZED_PATH = "/.oversized";

// A form post to a page (a server action, with or without JavaScript) declaring a body over the limit.
function oversizedAction(request: IncomingMessage, basePath: string): boolean {
  return request.method === "POST" && !(request.url ?? "").startsWith(`${basePath}/`) && Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES;
}

const key = Symbol.for("next-cart.node-requests");
export const ORIGINAL_URL = Symbol.for("next-cart.original-url");
const IDS = Symbol.for("next-cart.node-request-ids");
const state = globalThis as { [key]?: boolean; [IDS]?: Set<string> };
const inFlight = () => (state[IDS] ??= new Set());

// Whether this X-Request-Id was put on its request here, as it came in (an id of a request still
// being served). Not merely "ids are assigned in this process": a request that reaches a handler
// some other way (a host's own server, an in-process call) carries whatever its client wrote.
export function requestIdAssigned(id: string): boolean {
  return state[key] === true && inFlight().has(id);
}

// Once per process: cart.start() calls it with its base path and whether a trusted proxy's ids are adopted.
export function readNodeRequests(basePath: string, trustProxy: boolean): void {
  if (state[key]) return;
  state[key] = true;
  subscribe("http.server.request.start", (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const incoming = request.headers[REQUEST_ID_HEADER];
    const requestId = chooseRequestId(typeof incoming === "string" ? incoming : null, trustProxy);
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const ids = inFlight();
    ids.add(requestId);
    response.once("close", () => ids.delete(requestId));
    // The request line logs the path the client sent (lib/observe/http-log.ts), not a rewrite of it.
    (request as IncomingMessage & { [ORIGINAL_URL]?: string })[ORIGINAL_URL] = request.url;
    if (oversizedAction(request, basePath)) {
      request.url = basePath + OVERSIZED_PATH;
      delete request.headers["next-action"];
      return;
    }
    if (request.url) request.url = literalStrayPercents(request.url);
  });
}
