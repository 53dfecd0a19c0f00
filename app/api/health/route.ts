// GET /api/health — "ok", "degraded" (Redis away, still serving) or 503 (database away)
import { NextResponse } from "next/server";
import { checkHealth } from "@/lib/health";
import { withRequestLog } from "@/lib/observe/request-context";

export const dynamic = "force-dynamic";

export const GET = withRequestLog("/api/health", async () => {
  const health = await checkHealth();
  return NextResponse.json(health, {
    status: health.status === "down" ? 503 : 200,
    headers: { "Cache-Control": "no-store" },
  });
});
