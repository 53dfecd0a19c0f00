// npm run jobs:explain — the plan of every cleanup batch on a million carts.
//
// Creates a throwaway database next to DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres, used as the admin
// connection), migrates it, seeds 1,000,000 carts of every kind with
// generate_series (plus sessions, links, redemptions and idempotency rows),
// runs EXPLAIN (ANALYZE, BUFFERS) of one batch of each step inside a
// transaction that is rolled back, prints the plans and drops the database.
// Each plan should read through an index about as many rows as it deletes.
//
//   EXPLAIN_CARTS=1000000 CLEANUP_BATCH_SIZE=500 npm run jobs:explain
import postgres from "postgres";
import { PgDialect } from "drizzle-orm/pg-core";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const cartCount = Number(process.env.EXPLAIN_CARTS ?? 1_000_000);
const keep = process.env.EXPLAIN_KEEP === "1";
const name = `cart_explain_${Date.now().toString(36)}`;
const url = new URL(adminUrl);
url.pathname = `/${name}`;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
// The cleanup module reads its settings and connection from the environment.
process.env.DATABASE_URL = url.toString();
process.env.LOG_LEVEL ??= "warn";

const { cleanupSettings, cleanupSteps } = await import("@/lib/jobs/cleanup");
const { closeDatabase } = await import("@/lib/storage/database");
const { createCart, memoryCatalog, tuningFromEnv } = await import("@/lib/server");
// An instance of the module on the throwaway database, as the app makes one.
const instance = createCart({ catalog: memoryCatalog([]), tuning: tuningFromEnv(process.env) });
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });

try {
  await instance.migrate(); // the indexes under test are the migrations' own
  await closeDatabase(instance.settings);
  const started = performance.now();
  // Of every 100 carts: 30 guest carts in their window, 10 past it, 40 user carts (5 past
  // retention), 15 merged (10 past the grace), 5 closed. Ages spread over 120 days.
  await sql.unsafe(`
    insert into cart_carts (user_id, status, currency, updated_at, created_at)
    select case when k >= 40 and k < 80 then 'user-' || i end,
           case when k >= 80 and k < 95 then 'merged' when k >= 95 then 'closed' else 'active' end,
           'USD', ts, ts
    from (
      select i, i % 100 as k,
        now() - case
          when i % 100 < 30 then make_interval(secs => (i % 86400) * 6)            -- guest, < 7 days
          when i % 100 < 40 then make_interval(days => 8 + i % 100)                -- guest, old
          when i % 100 < 75 then make_interval(secs => (i % 86400) * 25)           -- user, < 30 days
          when i % 100 < 80 then make_interval(days => 31 + i % 90)                -- user, old
          when i % 100 < 85 then make_interval(secs => (i % 86400) * 6)            -- merged, young
          else make_interval(days => 8 + i % 100)                                  -- merged old / closed
        end as ts
      from generate_series(1, ${cartCount}) as i
    ) s`);
  // One product for the lines (the instance's catalog is empty: nothing is seeded).
  await sql.unsafe(`insert into cart_products (id, slug, name, description, price, currency, image) values ('sku-explain', 'explain', 'Explain', '', 100, 'USD', '')`);
  await sql.unsafe(`insert into cart_lines (cart_id, product_id, quantity, added_unit_price)
    select id, 'sku-explain', 1, 100 from cart_carts where random() < 0.5`);
  const sessions = Math.round(cartCount / 10);
  await sql.unsafe(`insert into cart_users (id, email) select 'user-' || i, 'u' || i || '@example.com' from generate_series(1, ${sessions}) i`);
  await sql.unsafe(`insert into cart_user_sessions (sid, user_id, created_at, revoked_at)
    select 's' || i, 'user-' || i, now() - make_interval(days => i % 120),
      case when i % 4 = 0 then now() - make_interval(secs => (i % 1000) * 60) end
    from generate_series(1, ${sessions}) i`);
  await sql.unsafe(`insert into cart_recovery_links (id, lines, source_cart_id, created_at, expires_at)
    select 'l' || i, '[]', gen_random_uuid(), now() - make_interval(hours => i % 200), now() - make_interval(hours => i % 200) + interval '72 hours'
    from generate_series(1, ${sessions}) i`);
  // Redemptions of links still there, and older ones of links already deleted.
  await sql.unsafe(`insert into cart_recovery_redemptions (token_id, cart_id, redeemed_at)
    select case when i % 2 = 0 then 'l' || (i % ${sessions} + 1) else 'gone-' || i end, id,
      now() - make_interval(hours => case when i % 2 = 0 then (i % 70)::int else 72 + (i % 200)::int end)
    from (select id, row_number() over () as i from cart_carts limit ${sessions}) c`);
  await sql.unsafe(`insert into cart_idempotency_keys (scope, key, fingerprint, status, body, created_at)
    select 'scope-' || (i % 1000), 'k' || i, 'f', 200, '{}', now() - make_interval(mins => i % 4000)
    from generate_series(1, ${cartCount / 5}) i`);
  await sql.unsafe("vacuum analyze");
  const [seeded] = await sql<{ n: number }[]>`select count(*)::int as n from cart_carts`;
  process.stdout.write(`seeded ${seeded?.n} carts and their neighbours in ${Math.round((performance.now() - started) / 1000)} s\n\n`);

  const settings = instance.runtime.run(() => cleanupSettings());
  const dialect = new PgDialect();
  for (const step of cleanupSteps(settings)) {
    const query = dialect.sqlToQuery(step.batch(settings.batchSize));
    let plan: string[] = [];
    // Rolled back: every step sees the full seeded table.
    await sql
      .begin(async (tx) => {
        const rows = await tx.unsafe(`explain (analyze, buffers) ${query.sql}`, query.params as never[]);
        plan = rows.map((r) => String(r["QUERY PLAN"]));
        throw new Error("rollback");
      })
      .catch((err: Error) => {
        if (err.message !== "rollback") throw err;
      });
    process.stdout.write(`── ${step.kind}: ${step.label} (batch of ${settings.batchSize})\n${plan.join("\n")}\n\n`);
  }
} finally {
  await closeDatabase(instance.settings).catch(() => {});
  await sql.end();
  if (keep) process.stdout.write(`kept ${url.toString()}\n`);
  else await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
