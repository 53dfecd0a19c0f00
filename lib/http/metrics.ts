import { createHash, timingSafeEqual } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "../config/env";
import { registerMetrics } from "../observe/metrics";
import { registry } from "../observe/registry";
import { errorBody } from "./errors";

// Compared as digests, in constant time, so the answer's timing says nothing about the token.
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

// Whether the request may read the metrics: always without METRICS_TOKEN, else only with `Bearer <token>`.
export function metricsAuthorized(authorization: string | null, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match !== null && sameToken(match[1]!, token);
}

// GET /api/metrics: this instance's registry in the Prometheus text format.
// In production the metrics are served only to a holder of METRICS_TOKEN: without one set, the
// route is not there (404), as /api/cron/cleanup without CRON_SECRET. Elsewhere it is open without one.
export async function metricsResponse(req: NextRequest): Promise<NextResponse> {
  const { METRICS_TOKEN: token, NODE_ENV } = env();
  if (!token && NODE_ENV === "production") {
    return NextResponse.json(errorBody("NOT_FOUND", "There is no such route."), { status: 404, headers: { "Cache-Control": "no-store" } });
  }
  if (!metricsAuthorized(req.headers.get("authorization"), token)) {
    return NextResponse.json(errorBody("UNAUTHORIZED", "Send Authorization: Bearer <METRICS_TOKEN>."), {
      status: 401,
      headers: { "Cache-Control": "no-store", "WWW-Authenticate": 'Bearer realm="metrics"' },
    });
  }
  registerMetrics();
  const reg = registry();
  return new NextResponse(await reg.metrics(), { headers: { "Content-Type": reg.contentType, "Cache-Control": "no-store" } });
}
