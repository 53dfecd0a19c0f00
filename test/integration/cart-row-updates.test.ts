import { PGlite } from "@electric-sql/pglite";
import { sql as drizzleSql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartsUpdatedBefore } from "@/db/schema";
import { migratePglite, migratePostgres } from "@/lib/storage/migrate";
import { prepareBackend, type Backend } from "../support/backends";
import { createTestDatabase } from "../support/databases";

/**
 * Every change to a cart bumps its row's version and updated_at (lib/cart/repository.ts). The
 * jobs' indexes hold updated_at's 10-minute bucket, not updated_at, so that bump changes no
 * indexed column and is a HOT update: no new index entries, and a busy cart's lookups by id do
 * not walk its dead versions until vacuum (with updated_at indexed, the index tuples a direct
 * bench add fetched grew from 18 to 51 per add over three 6-second phases). The jobs still find
 * exactly the carts changed before their cutoff, through the bucket.
 */
const dialect = new PgDialect();
const render = (query: SQL) => dialect.sqlToQuery(query);

// A cutoff in the middle of a bucket (10:00–10:10 UTC), and carts around it.
const CUTOFF = "2026-03-01T10:05:00.000Z";
const AROUND: Record<string, string> = {
  "previous bucket": "2026-03-01T09:58:00.000Z",
  "bucket start": "2026-03-01T10:00:00.000Z",
  "a second before": "2026-03-01T10:04:59.000Z",
  "a millisecond before": "2026-03-01T10:04:59.999Z",
  "at the cutoff": "2026-03-01T10:05:00.000Z",
  "a second after": "2026-03-01T10:05:01.000Z",
  "bucket end": "2026-03-01T10:09:59.999Z",
  "next bucket": "2026-03-01T10:10:00.000Z",
};
const BEFORE_CUTOFF = ["a millisecond before", "a second before", "bucket start", "previous bucket"].sort();

type Run = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

async function seedAround(run: Run): Promise<void> {
  for (const [label, at] of Object.entries(AROUND)) {
    await run(`insert into cart_carts (user_id, currency, updated_at, created_at) values ($1, 'USD', $2::timestamptz, $2::timestamptz)`, [label, at]);
  }
}

async function foundBefore(run: Run, cutoff: string): Promise<string[]> {
  const query = render(drizzleSql`select user_id from cart_carts where ${cartsUpdatedBefore(drizzleSql`${cutoff}::timestamptz`)}`);
  return (await run(query.sql, query.params)).map((r) => r.user_id as string).sort();
}

describe("cart rows on Postgres", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: postgres.Sql;
  const run: Run = (text, params) => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]) as Promise<Record<string, unknown>[]>;

  beforeAll(async () => {
    database = await createTestDatabase("cart_rows");
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
    await migratePostgres(sql);
  });
  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  it("bumps version and updated_at with a HOT update while the bucket holds, and no index holds either column", async () => {
    const [cart] = await sql`insert into cart_carts (currency, updated_at) values ('USD', '2026-03-01T10:01:00Z') returning id`;
    const id = cart!.id as string;
    // Transaction-local counters: what this transaction's own updates did, at once.
    const counts = async (tx: postgres.TransactionSql) => {
      const [row] = await tx`select pg_stat_get_xact_tuples_updated('cart_carts'::regclass)::int as updated,
        pg_stat_get_xact_tuples_hot_updated('cart_carts'::regclass)::int as hot`;
      return row as { updated: number; hot: number };
    };
    await sql.begin(async (tx) => {
      // As every change does (compareAndSetLine, lockAndBump), inside the bucket.
      await tx`update cart_carts set version = version + 1, updated_at = '2026-03-01T10:02:00Z' where id = ${id}`;
      await tx`update cart_carts set version = version + 1, updated_at = '2026-03-01T10:09:59Z' where id = ${id}`;
      expect(await counts(tx)).toEqual({ updated: 2, hot: 2 });
      // Into the next bucket: the indexed bucket changes, so this one is not HOT (once per 10 minutes).
      await tx`update cart_carts set version = version + 1, updated_at = '2026-03-01T10:10:00Z' where id = ${id}`;
      expect(await counts(tx)).toEqual({ updated: 3, hot: 2 });
    });
    const [bucket] = await sql`select updated_bucket::text as b from cart_carts where id = ${id}`;
    expect(bucket!.b).toBe("2026-03-01 10:10:00");

    const indexed = await sql`
      select distinct a.attname from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = 'cart_carts'::regclass`;
    const columns = indexed.map((r) => r.attname as string);
    expect(columns).toContain("updated_bucket");
    expect(columns).not.toContain("updated_at");
    expect(columns).not.toContain("version");
    await sql`delete from cart_carts`;
  });

  it("finds exactly the carts changed before a cutoff, through the bucket", async () => {
    await seedAround(run);
    try {
      expect(await foundBefore(run, CUTOFF)).toEqual(BEFORE_CUTOFF);
      // A cutoff on a bucket's first instant: nothing of that bucket is before it.
      expect(await foundBefore(run, "2026-03-01T10:00:00.000Z")).toEqual(["previous bucket"]);
    } finally {
      await sql`delete from cart_carts`;
    }
  });
});

describe("cart rows on PGlite (the embedded default)", () => {
  let backend: Backend;
  let client: PGlite;
  const run: Run = async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows;

  beforeAll(async () => {
    backend = await prepareBackend("pglite+memory", "cart-rows");
    client = new PGlite(backend.env.DATA_DIR);
    await migratePglite(client);
  });
  afterAll(async () => {
    await client?.close();
    await backend?.cleanup();
  });

  it("computes the same bucket and finds exactly the carts changed before a cutoff", async () => {
    await seedAround(run);
    expect(await foundBefore(run, CUTOFF)).toEqual(BEFORE_CUTOFF);
    const [row] = await run(`select updated_bucket::text as b from cart_carts where user_id = 'a second after'`, []);
    expect(row!.b).toBe("2026-03-01 10:00:00");
  });
});
