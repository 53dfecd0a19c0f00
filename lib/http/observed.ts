import type { NextRequest } from "next/server";
import { recordRequest } from "@/lib/observe/metrics";

/**
 * Request metrics, recorded in one place: sessionRoute (session-route.ts)
 * times every session route through `timed`, and `observed` wraps the few
 * other handlers (products, health, Auth.js, recovery confirm).
 */

type Params = Record<string, string | string[] | undefined>;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The route's pattern from the path and the params Next.js matched, e.g.
 * /api/cart/items/abc with { productId: "abc" } → /api/cart/items/[productId],
 * so a label never carries a client's value (unbounded label sets).
 */
export function routePattern(pathname: string, params: Params = {}): string {
  const segments = pathname.split("/");
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      // A catch-all: the trailing run of segments it matched becomes one [...name].
      const start = segments.length - value.length;
      if (value.length > 0 && start > 0 && value.every((v, i) => decoded(segments[start + i]!) === v)) {
        segments.splice(start, value.length, `[...${name}]`);
      }
    } else if (typeof value === "string") {
      const at = segments.findLastIndex((s) => decoded(s) === value);
      if (at > 0) segments[at] = `[${name}]`;
    }
  }
  return segments.join("/") || "/";
}

/** Runs a handler and records its duration and status (500 when it threw). */
export async function timed(req: Request, route: string | (() => string), run: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  let status = 500;
  try {
    const res = await run();
    status = res.status;
    return res;
  } finally {
    recordRequest(typeof route === "string" ? route : route(), req.method, status, (performance.now() - started) / 1000);
  }
}

/** The same as a wrapper, for route handlers that do not go through sessionRoute. */
export function observed<C extends unknown[], R extends Response>(
  route: string,
  handler: (req: NextRequest, ...rest: C) => Promise<R>,
): (req: NextRequest, ...rest: C) => Promise<R> {
  return (req, ...rest) => timed(req, route, () => handler(req, ...rest)) as Promise<R>;
}
