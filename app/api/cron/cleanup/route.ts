// GET | POST /api/cron/cleanup — run the cleanup now (Vercel Cron, cron + curl, a Kubernetes CronJob)
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { bearerMatches } from "@/lib/http/bearer";
import { toErrorResponse } from "@/lib/http/errors";
import { runCleanup } from "@/lib/jobs/cleanup";

export const dynamic = "force-dynamic";
// Vercel: a run stops starting batches after CLEANUP_BUDGET_MS (50 s by default).
export const maxDuration = 60;

async function handle(req: NextRequest) {
  try {
    const secret = env().CRON_SECRET;
    // Without a secret there is no route to find.
    if (!secret) throw new AppError("NOT_FOUND", "Not found.");
    if (!bearerMatches(req.headers.get("authorization"), secret)) {
      throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <CRON_SECRET>.");
    }
    const dryRun = req.nextUrl.searchParams.get("dryRun") === "1";
    const result = await runCleanup({ trigger: "cron", dryRun });
    return NextResponse.json(result, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return toErrorResponse(err);
  }
}

export const GET = handle;
export const POST = handle;
