// The demo's order table: the demo's own, not the module's (the module owns only its cart_*
// tables and migrations). Made when the cart's database opens, before the storefront serves.
import { sql } from "drizzle-orm";
import type { Cart } from "next-cart/server";

type Database = Awaited<ReturnType<Cart["runtime"]["db"]>>;

// Instances starting together (npm run stack) each run this: "if not exists" alone races in
// Postgres (both see no table, one fails on the catalog's unique key), so the creation takes a
// transaction-scoped advisory lock first (PgBouncer's transaction pooling allows it).
export async function createDemoOrdersTable(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('demo_orders'))`);
    await tx.execute(sql`
      create table if not exists demo_orders (
        id text primary key,
        checkout_id text not null unique,
        subtotal integer not null,
        currency char(3) not null,
        created_at timestamptz not null default now()
      )`);
  });
}
