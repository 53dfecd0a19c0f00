import { NextResponse, type NextRequest } from "next/server";

/**
 * Runs only for /api/cart/items/{productId}: a path segment that is not
 * valid percent-encoding would make Next.js fail while decoding the route
 * parameter, before our handler could answer. Answer the client's mistake
 * here, in the contract's shape. (Authorisation never lives here.)
 */
export function proxy(req: NextRequest) {
  const segment = req.nextUrl.pathname.slice("/api/cart/items/".length);
  try {
    decodeURIComponent(segment);
    return NextResponse.next();
  } catch {
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

export const config = { matcher: "/api/cart/items/:productId+" };
