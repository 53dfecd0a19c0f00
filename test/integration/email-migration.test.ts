import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrations } from "@/db/migrations";
import { migratePostgres } from "@/lib/storage/migrate";
import { createTestDatabase } from "../support/databases";

/**
 * db/migrations/0003_email_lower.sql on a database that holds what the old schema allowed: the
 * same address in several cases (a sign-up and a GitHub account), and mixed-case addresses. The
 * migration must finish (the new unique index on lower(email) would refuse duplicates), keep each
 * address with its oldest account, and keep every account (their carts and provider sign-ins).
 */
describe("the email_lower migration (Postgres)", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase("email_migration");
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql.end();
    await database.drop();
  });

  it("lower-cases existing emails, leaves a later differently-cased duplicate without the address, and then refuses new duplicates", async () => {
    const index = migrations.findIndex((m) => m.sql.some((s) => s.includes("cart_users_email_lower_key")));
    expect(index).toBeGreaterThan(0);
    // The schema as it was before: every migration up to this one, recorded as the app records them.
    await sql.unsafe("create table public.cart_migrations (id serial primary key, hash text not null, created_at bigint not null)");
    for (const migration of migrations.slice(0, index)) {
      for (const statement of migration.sql) await sql.unsafe(statement);
      await sql`insert into public.cart_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`;
    }
    await sql`insert into cart_users (id, email, created_at) values
      ('first', 'Ada@Example.com', now() - interval '2 days'),
      ('later', 'ada@example.COM', now() - interval '1 day'),
      ('latest', ' ADA@example.com', now()),
      ('bob', 'Bob@Example.com', now()),
      ('none', null, now())`;

    await migratePostgres(sql);

    const rows = Object.fromEntries((await sql`select id, email from cart_users`).map((r) => [r.id, r.email]));
    expect(rows).toEqual({ first: "ada@example.com", later: null, latest: null, bob: "bob@example.com", none: null });
    await expect(sql`insert into cart_users (id, email) values ('again', 'BOB@example.com')`).rejects.toMatchObject({ code: "23505" });
    // Accounts without an address never collide.
    await sql`insert into cart_users (id, email) values ('none-2', null)`;
  });
});
