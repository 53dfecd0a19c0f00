import { NextResponse, type NextRequest } from "next/server";
import { MAX_BODY_BYTES } from "@/lib/http/request";

/**
 * Runs for routes with a dynamic segment (/api/cart/items/{productId},
 * /products/{slug}) and for server action posts to pages.
 *
 * A segment that is not valid percent-encoding would make Next.js fail while
 * decoding the parameter, before our code could answer: answer the client's
 * mistake here, 422 in the contract's shape for the API, 404 for pages.
 *
 * A server action body that says it is over the limit gets 413 here, before
 * it is read: Next.js's own limit (next.config.ts) answers a 500. A chunked
 * body without Content-Length still meets that limit after 16 KiB.
 * (Authorisation never lives here.)
 */
export function proxy(req: NextRequest) {
  if (req.method === "POST" && !req.nextUrl.pathname.startsWith("/api/")) {
    if (Number(req.headers.get("content-length") ?? "0") > MAX_BODY_BYTES) {
      return new NextResponse(`The form may send at most ${MAX_BODY_BYTES} bytes.`, { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    }
  }
  try {
    decodeURIComponent(req.nextUrl.pathname);
    return NextResponse.next();
  } catch {
    if (!req.nextUrl.pathname.startsWith("/api/")) return new NextResponse("Not found", { status: 404 });
    return NextResponse.json(
      {
        error: {
          code: "VALIDATION_ERROR",
          message: "The request is not valid.",
          details: [{ path: ["productId"], message: "must be valid percent-encoded UTF-8" }],
        },
      },
      { status: 422, headers: { "Cache-Control": "no-store" } },
    );
  }
}

export const config = {
  matcher: [
    "/api/cart/items/:productId+",
    "/products/:slug+",
    // Server actions: a Next-Action header (with JavaScript), or a plain form post (without).
    { source: "/((?!api/|_next/).*)", has: [{ type: "header", key: "next-action" }] },
    { source: "/((?!api/|_next/).*)", has: [{ type: "header", key: "content-type", value: "(?:multipart/form-data|application/x-www-form-urlencoded).*" }] },
  ],
};
