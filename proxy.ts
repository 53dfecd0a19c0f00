import { NextResponse, type NextRequest } from "next/server";

/**
 * Runs only for routes with a dynamic segment (/api/cart/items/{productId},
 * /products/{slug}): a segment that is not valid percent-encoding would make
 * Next.js fail while decoding the parameter, before our code could answer.
 * Answer the client's mistake here: 422 in the contract's shape for the API,
 * 404 for pages. (Authorisation never lives here.)
 */
export function proxy(req: NextRequest) {
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

export const config = { matcher: ["/api/cart/items/:productId+", "/products/:slug+"] };
