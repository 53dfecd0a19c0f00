import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Sql } from "postgres";

/** Serialises migrations when several instances start at once. */
export const MIGRATION_LOCK_ID = 7_311_001;

/**
 * Drizzle's migrations (same files, same drizzle.__drizzle_migrations table as its
 * migrator), run in one transaction that first takes a transaction-scoped advisory
 * lock. A session lock (pg_advisory_lock) is wrong behind PgBouncer in transaction
 * mode: the lock stays on whichever server connection ran it, and the unlock may run
 * on another. drizzle's own migrator cannot be used under the lock either: it reads
 * the last applied migration before its transaction, so a second instance that waited
 * would apply everything again.
 */
export async function migratePostgres(sql: Sql, migrationsFolder: string): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`create schema if not exists drizzle`;
    await tx`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
    const [last] = await tx<{ created_at: string }[]>`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
    for (const migration of migrations) {
      if (last && Number(last.created_at) >= migration.folderMillis) continue;
      for (const statement of migration.sql) await tx.unsafe(statement);
      await tx`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`;
    }
  });
}
