// GET /api/floor: fixed JSON and nothing else, the same handler as the demo's /api/bench/floor.
// What Next.js itself costs per request (routing, the route handler, its Response) with none of
// the module's pipeline: the direct bench's floor, served by its own `next start`.
import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

const body = { ok: true, items: [{ productId: "sku-tee-black-m", quantity: 1 }] };

export function GET() {
  return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
}
