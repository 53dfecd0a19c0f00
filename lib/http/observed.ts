// Metrics label a request by its route's pattern (`/api/cart/items/[productId]`),
// never by its raw path: the label set stays bounded whatever clients send.
// Requests are timed in one place, lib/http/request-context.ts.

type Params = Record<string, string | string[] | undefined>;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// The route's pattern from the path and the params Next.js matched, e.g.
// /api/cart/items/abc with { productId: "abc" } → /api/cart/items/[productId],
// so a label never carries a client's value (unbounded label sets).
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
