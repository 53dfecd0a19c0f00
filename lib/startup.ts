import { env } from "@/lib/config/env";
import { startCartCleanup } from "@/lib/jobs/cart-cleanup";
import { log } from "@/lib/log/logger";
import { logEveryResponse } from "@/lib/observe/http-log";
import { startHistory } from "@/lib/observe/history";
import { database } from "@/lib/storage/database";

/**
 * Validates the configuration (production refuses to start without its
 * secrets) and opens the database, migrating and seeding it, before the
 * first request arrives.
 */
export async function startServer(): Promise<void> {
  try {
    env();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  logEveryResponse();
  // The dashboard's 15-minute history (lib/observe/history.ts) starts with the instance.
  startHistory();
  try {
    await database();
    startCartCleanup();
  } catch (err) {
    // Not fatal: writes answer 503 and the next request retries the database.
    log.error("database not ready at start", { err });
  }
}
