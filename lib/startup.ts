import { env } from "./config/env";
import { startCleanupSchedule } from "./jobs/schedule";
import { log } from "./log/logger";
import { logEveryResponse } from "./observe/http-log";
import { startHistory } from "./observe/history";
import { database } from "./storage/database";

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
  // Before the database opens: a database that is down at boot only delays the first run.
  startCleanupSchedule();
  logEveryResponse();
  // The dashboard's 15-minute history (lib/observe/history.ts) starts with the instance.
  startHistory();
  try {
    await database();
  } catch (err) {
    // Not fatal: writes answer 503 and the next request retries the database.
    log.error("database not ready at start", { err });
  }
}
