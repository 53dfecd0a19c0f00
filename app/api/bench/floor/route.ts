// GET /api/bench/floor — fixed JSON, the Next.js floor for benchmarks; 404 unless BENCH_FLOOR_ROUTE=1
import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

const body = { ok: true, items: [{ productId: "sku-tee-black-m", quantity: 1 }] };

export function GET() {
  if (process.env.BENCH_FLOOR_ROUTE !== "1") {
    return NextResponse.json({ error: { code: "NOT_FOUND", message: "Not found." } }, { status: 404 });
  }
  return NextResponse.json(body, { headers: { "Cache-Control": "no-store" } });
}
