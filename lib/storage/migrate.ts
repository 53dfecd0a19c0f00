import type { Sql } from "postgres";
import type { PGlite } from "@electric-sql/pglite";
import { migrations } from "../../db/migrations";

// Serialises migrations when several instances start at once.
export const MIGRATION_LOCK_ID = 7_311_001;

// The module's migrations (db/migrations, embedded in db/migrations.ts), recorded in its own
// table, public.cart_migrations, beside whatever migrations the host runs. All of them run in one
// transaction that first takes a transaction-scoped advisory lock: a session lock is wrong
// behind PgBouncer in transaction mode (the unlock may run on another server connection), and
// reading the last applied migration under the lock means a second instance that waited
// applies nothing twice.
const TRACKING = `create table if not exists public.cart_migrations (id serial primary key, hash text not null, created_at bigint not null)`;

interface Runner {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  exec(text: string): Promise<void>;
}

async function apply(tx: Runner): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`);
  await tx.exec(TRACKING);
  const [last] = await tx.query<{ created_at: string }>(`select created_at from public.cart_migrations order by created_at desc limit 1`);
  for (const migration of migrations) {
    if (last && Number(last.created_at) >= migration.folderMillis) continue;
    for (const statement of migration.sql) await tx.exec(statement);
    await tx.query(`insert into public.cart_migrations (hash, created_at) values ($1, $2)`, [migration.hash, migration.folderMillis]);
  }
}

export async function migratePostgres(sql: Sql): Promise<void> {
  await sql.begin((tx) =>
    apply({
      query: async <T>(text: string, params: unknown[] = []) => (await tx.unsafe(text, params as never[])) as unknown as T[],
      exec: async (text) => {
        await tx.unsafe(text);
      },
    }),
  );
}

export async function migratePglite(client: PGlite): Promise<void> {
  await client.transaction((tx) =>
    apply({
      query: async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
      exec: async (text) => {
        await tx.exec(text);
      },
    }),
  );
}
