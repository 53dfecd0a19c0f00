// GET /api/products — the catalog, including products no longer sold
import { NextResponse } from "next/server";
import { listProducts } from "@/lib/catalog/catalog";
import { toErrorResponse } from "@/lib/http/errors";
import { withRequestLog } from "@/lib/observe/request-context";

export const dynamic = "force-dynamic";

export const GET = withRequestLog("/api/products", async () => {
  try {
    const products = (await listProducts()).map(({ id, slug, name, description, price, currency, active }) => ({
      id,
      slug,
      name,
      description,
      price,
      currency,
      active,
    }));
    return NextResponse.json({ products }, { headers: { "Cache-Control": "public, max-age=10" } });
  } catch (err) {
    return toErrorResponse(err);
  }
});
