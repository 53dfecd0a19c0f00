import type { IncomingMessage } from "node:http";
import { subscribe } from "node:diagnostics_channel";

// Next.js answers a path that is not valid percent-encoding (`/api/cart/items/%E0`,
// `/products/%zz`) with a bare 500 before any route of the host runs. The module reads such a
// path's stray `%` literally instead, so the request reaches its route like any other and gets
// the ordinary answer for a bad value (422 VALIDATION_ERROR for a product id, 404 for a page).
// It is done where Node hands the request over (its http diagnostics channel), not in a
// Next.js proxy: a proxy would cost every request of the host far more than this check.
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

const key = Symbol.for("next-cart.undecodable-paths");
const state = globalThis as { [key]?: boolean };

// Once per process (cart.start() calls it).
export function acceptUndecodablePaths(): void {
  if (state[key]) return;
  state[key] = true;
  subscribe("http.server.request.start", (message) => {
    const request = (message as { request: IncomingMessage }).request;
    if (request.url) request.url = literalStrayPercents(request.url);
  });
}
