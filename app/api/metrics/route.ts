// GET /api/metrics — Prometheus text for this instance (Bearer METRICS_TOKEN when set); not itself counted
import { metricsResponse } from "@/lib/http/metrics";

export const dynamic = "force-dynamic";

export const GET = metricsResponse;
