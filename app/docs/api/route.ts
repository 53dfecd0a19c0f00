// GET /docs/api — the readable API reference (Scalar, served from this app; works offline)
import { methodNotAllowed } from "next-cart/server";
import { REFERENCE_CSP, referenceHtml, SCALAR_VERSION } from "./reference";

export const dynamic = "force-dynamic";

export function GET() {
  const html = referenceHtml({ specUrl: "/api/openapi.json", bundleUrl: `/docs/api/scalar.js?v=${SCALAR_VERSION}`, title: "next-cart API reference" });
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": REFERENCE_CSP,
      "Cache-Control": "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
