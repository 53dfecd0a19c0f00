// GET /docs/api/scalar.js — Scalar's standalone bundle, read once from node_modules and served by the app
import { scalarBundle, SCALAR_VERSION } from "../reference";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const body = await scalarBundle();
    return new Response(new Uint8Array(body), {
      headers: {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "public, max-age=86400",
        ETag: `"scalar-${SCALAR_VERSION}"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch {
    return new Response("The reference bundle is missing: install @scalar/api-reference.", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
}
