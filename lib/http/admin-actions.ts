import { headers } from "next/headers";
import { toAppError } from "./errors";
import { requireAdmin } from "./admin";
import { assertSameHostOrigin } from "./request";
import { log } from "../log/logger";
import { runCleanup, type CleanupRun } from "./cleanup-runs";
import { sessionFromCookies } from "../session/next-cookies";

export type CleanupActionResult = { ok: true; run: CleanupRun } | { ok: false; error: { code: string; message: string } };

// The dashboard's "Run cleanup now": same-origin only, admins only (anyone
// else is told the action does not exist), and audited: who, when and what
// it removed, or why it was refused.
export async function runCleanupAsAdmin(): Promise<CleanupActionResult> {
  let admin: string | null = null;
  try {
    assertSameHostOrigin(await headers());
    admin = await requireAdmin(await sessionFromCookies());
    const run = await runCleanup("admin");
    log.info("admin ran the cleanup", { admin, at: run.startedAt, ok: run.ok, removed: run.removed, durationMs: run.durationMs });
    return { ok: true, run };
  } catch (err) {
    const known = toAppError(err);
    if (admin === null) log.warn("admin cleanup refused", { at: new Date().toISOString(), code: known?.code ?? "INTERNAL_ERROR" });
    else log.error("admin cleanup failed", { admin, at: new Date().toISOString(), err });
    return { ok: false, error: known ? { code: known.code, message: known.message } : { code: "INTERNAL_ERROR", message: "The cleanup failed; see the logs." } };
  }
}
