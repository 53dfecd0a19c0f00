/**
 * Runs once when a server instance starts: validate the configuration
 * (production refuses to start without its secrets) and open the database,
 * applying migrations and seeding the catalog, before the first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/config/env");
  const { log } = await import("@/lib/log/logger");
  try {
    env();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const { database } = await import("@/lib/storage/database");
  const { startCartCleanup } = await import("@/lib/jobs/cart-cleanup");
  try {
    await database();
    startCartCleanup();
  } catch (err) {
    // Not fatal: the app serves 503s for writes and retries the database on the next request.
    log.error("database not ready at start", { err });
  }
}
