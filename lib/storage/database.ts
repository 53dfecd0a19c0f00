import path from "node:path";
import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "../../db/schema";
import type { Env } from "../config/env";
import { currentRuntime } from "../runtime/context";
import { forgetSharedResource, sharedResource } from "../runtime/shared";
import { log } from "../log/logger";
import { setProbe } from "../observe/metrics";
import { migratePglite, migratePostgres } from "./migrate";
import { countPoolUse } from "./pool-metrics";
import { postgresTarget } from "./pooler";
import { wrapPostgresClient } from "./postgres-client";
import { primaryPool } from "./primary-pool";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  kind: "postgres" | "pglite";
  // Whether Postgres is reached through PgBouncer (transaction pooling).
  pooler: "none" | "pgbouncer";
  db: Database;
  // Whether a write could commit now. "read-only": the pool reaches no writable primary, yet a
  // node of the database answers (a failover in progress). Throws when no node answers.
  writability(): Promise<"writable" | "read-only">;
  close(): Promise<void>;
}

async function openPostgres(databaseUrl: string, config: Env): Promise<DatabaseHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { url, pgbouncer } = postgresTarget(databaseUrl, config.DATABASE_POOLER);
  // PgBouncer in transaction mode hands each transaction any server connection:
  // named prepared statements would be missing on the next one.
  const prepare = !pgbouncer;

  // Its transaction ends with its connection too: a migration is never applied halfway.
  const migrator = wrapPostgresClient(postgres(url, { max: 1, prepare, onnotice: () => {}, connect_timeout: 10 }), { prepare: false });
  try {
    await migratePostgres(migrator);
  } finally {
    await migrator.end({ timeout: 5 });
  }

  const pool = primaryPool(
    () =>
      postgres(url, {
        max: config.DATABASE_POOL_SIZE,
        prepare,
        onnotice: unreplicatedCommit,
        connect_timeout: Math.ceil(config.DATABASE_TIMEOUT_MS / 1000),
        idle_timeout: 60,
        // Bounded waits: a stuck statement or lock fails instead of holding a request forever.
        // PgBouncer refuses these as startup parameters (and a SET would stick to a server
        // connection other clients share), so behind it they are PgBouncer's connect_query
        // (docs/operations.md, "PgBouncer").
        connection: pgbouncer
          ? {}
          : {
              statement_timeout: config.DATABASE_TIMEOUT_MS,
              lock_timeout: config.DATABASE_TIMEOUT_MS,
              idle_in_transaction_session_timeout: config.DATABASE_TIMEOUT_MS * 2,
            },
      }),
    () => log.warn("database pool replaced: a connection reached a read-only node (a failover); new connections look for the primary"),
  );
  // Named statements (unless behind PgBouncer), and transactions that end with their connection (lib/storage/postgres-client.ts).
  const client = countPoolUse(wrapPostgresClient(pool.client, { prepare }), config.DATABASE_POOL_SIZE, pool.failed);
  const db = drizzle(client, { schema }) as unknown as Database;
  // Health's second look when the pool finds no primary: one connection to whichever node answers.
  let anyNode: ReturnType<typeof postgres> | undefined;
  return {
    kind: "postgres",
    pooler: pgbouncer ? "pgbouncer" : "none",
    db,
    async writability() {
      try {
        const [row] = await pool.client<{ readOnly: string }[]>`select current_setting('transaction_read_only') as "readOnly"`;
        return row?.readOnly === "on" ? "read-only" : "writable";
      } catch {
        anyNode ??= postgres(anyNodeUrl(url), { max: 1, prepare: false, onnotice: () => {}, connect_timeout: 2, idle_timeout: 10 });
        await anyNode`select 1`;
        return "read-only";
      }
    },
    async close() {
      await Promise.all([pool.end({ timeout: 5 }), anyNode?.end({ timeout: 1 })]);
    },
  };
}

// Postgres ends a commit's wait for the synchronous standby early only when the statement is
// cancelled from outside (pg_cancel_backend; statement_timeout is off by then), and then reports
// success with a warning: that change is on the primary alone until the standby catches up.
// postgres.js does not say which statement a notice belongs to, so it is logged for the operator.
function unreplicatedCommit(notice: { message?: string }): void {
  if (notice.message?.includes("wait for synchronous replication")) log.error("a commit was acknowledged before the synchronous standby confirmed it", { notice: notice.message });
}

// The URL without its target_session_attrs: a node that answers at all, primary or not.
function anyNodeUrl(url: string): string {
  return url.replace(/([?&])target_session_attrs=[^&]*(&|$)/, (_match, before: string, after: string) => (after ? before : "")).replace(/\?$/, "");
}

// Another live process holds the PGlite directory (PGlite is one process per directory).
export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the embedded database ${dataDir} is in use by process ${pid}; PGlite allows one process per directory`);
    this.name = "DatabaseInUseError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// PGlite itself would open a directory another process has open and corrupt it,
// so each opener writes its pid beside it; a lock whose process is gone is taken over.
async function lockPglite(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDir, "..", `${path.basename(dataDir)}.pid`);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return () => unlink(lockFile).catch(() => {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(await readFile(lockFile, "utf8").catch(() => "0"));
      if (holder === process.pid) return async () => {};
      if (holder > 0 && alive(holder)) throw new DatabaseInUseError(dataDir, holder);
      await unlink(lockFile).catch(() => {});
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockPglite(dataDir);
  try {
    const client = await PGlite.create({ dataDir });
    const pgliteDb = drizzle(client, { schema });
    await migratePglite(client);
    setProbe("db_pool_max", () => 1);
    return {
      kind: "pglite",
      pooler: "none",
      db: pgliteDb as unknown as Database,
      async writability() {
        await client.query("select 1");
        return "writable" as const;
      },
      async close() {
        await client.close();
        await unlock();
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}

export type ReadyHook = (db: Database) => Promise<void>;

// Opens (or reuses) the database these settings name: one pool per URL, one PGlite per directory
// in this process, whichever instances share it (lib/runtime/shared.ts).
export function openDatabase(config: Env): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    const url = config.DATABASE_URL;
    return sharedResource(`db:${url}`, async () => {
      const handle = await openPostgres(url, config);
      log.info("database ready", { kind: handle.kind, pooler: handle.pooler });
      return handle;
    });
  }
  const dir = path.resolve(process.cwd(), config.DATA_DIR, "pglite");
  return sharedResource(`db:pglite:${dir}`, async () => {
    const handle = await openPglite(dir);
    log.info("database ready", { kind: handle.kind, pooler: handle.pooler });
    return handle;
  });
}

// Closes the database these settings name, for tests and graceful shutdown.
export async function closeDatabase(config: Env): Promise<void> {
  const id = config.DATABASE_URL ? `db:${config.DATABASE_URL}` : `db:pglite:${path.resolve(process.cwd(), config.DATA_DIR, "pglite")}`;
  const pending = forgetSharedResource(id) as Promise<DatabaseHandle> | undefined;
  if (pending) await (await pending.catch(() => null))?.close();
}

// The current instance's database (lib/runtime/context.ts), opened and migrated on first use.
export function database(): Promise<DatabaseHandle> {
  return currentRuntime().database();
}

export async function db(): Promise<Database> {
  return (await database()).db;
}
