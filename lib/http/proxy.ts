import { NextResponse, type NextRequest } from "next/server";
import { env } from "../config/env";
import { MAX_BODY_BYTES } from "./request";
import { chooseRequestId, REQUEST_ID_HEADER } from "../log/request-id";

// Runs for every request but static assets. It gives each request its id
// (X-Request-Id: a trusted proxy's with TRUST_PROXY, else a new one), on the
// request for our handlers' logs (lib/http/request-context.ts) and on
// every response, pages and errors included.
//
// A server action body (a POST to a page) that says it is over the limit gets
// 413 here, before it is read: Next.js's own limit (next.config.ts) answers a
// 500. A chunked body without Content-Length still meets that limit after 16 KiB.
//
// For routes with a dynamic segment (/api/cart/items/{productId},
// /products/{slug}) it also answers a segment that is not valid
// percent-encoding, which would make Next.js fail while decoding the
// parameter before our code could answer: 422 in the contract's shape for
// the API, 404 for pages. (Authorisation never lives here.)
const DYNAMIC_SEGMENT = /^\/(?:api\/cart\/items|products)\/./;

export function cartProxy(req: NextRequest): NextResponse {
  const requestId = chooseRequestId(req.headers.get(REQUEST_ID_HEADER), env().TRUST_PROXY > 0);
  const res = tooLargeAction(req) ?? badEncoding(req) ?? passOn(req, requestId);
  res.headers.set(REQUEST_ID_HEADER, requestId);
  return res;
}

function passOn(req: NextRequest, requestId: string): NextResponse {
  // Replaces whatever the client sent: handlers trust this header because it is always ours.
  const headers = new Headers(req.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  return NextResponse.next({ request: { headers } });
}

function tooLargeAction(req: NextRequest): NextResponse | null {
  if (req.method !== "POST" || req.nextUrl.pathname.startsWith("/api/")) return null;
  if (Number(req.headers.get("content-length") ?? "0") <= MAX_BODY_BYTES) return null;
  return new NextResponse(`The form may send at most ${MAX_BODY_BYTES} bytes.`, {
    status: 413,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function badEncoding(req: NextRequest): NextResponse | null {
  const path = req.nextUrl.pathname;
  if (!DYNAMIC_SEGMENT.test(path)) return null;
  try {
    decodeURIComponent(path);
    return null;
  } catch {
    if (!path.startsWith("/api/")) return new NextResponse("Not found", { status: 404 });
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
