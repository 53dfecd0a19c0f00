import { sql } from "drizzle-orm";
import { cartsUpdatedBefore } from "../../db/schema";
import { productsById } from "../cart/catalog";
import { readSnapshot } from "../cart/repository";
import type { CartSnapshot } from "../cart/types";
import { env, storefrontOrigin } from "../config/env";
import { eventsRecorded, recordEvent, snapshotEventData } from "../events/outbox";
import { recordAbandonedCarts } from "../observe/metrics";
import { currentRuntime } from "../runtime/context";
import { storeRecoveryLink } from "../session/recovery-link";
import { db } from "../storage/database";

// Abandoned carts: a signed-in owner's active cart (an email known, so mail can be sent) with
// lines, untouched for CART_ABANDONED_AFTER_SECONDS, yields one `cart.abandoned` per idle
// period (per version it idles at), carrying a fresh recovery link to a snapshot of its lines.
// Run by the jobs (runCleanup: the cron route, the CLI, the in-process schedule), in batches.
// Safe on many instances at once: the cart_abandonments row (cart, version) is written in the
// event's transaction, only while the cart is still at that version, and only once.

// Batches one run takes at most (the next run goes on).
const MAX_BATCHES = 50;

interface Candidate {
  id: string;
  version: number;
  email: string;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

// Where a recovery link points: PUBLIC_ORIGIN, else the store's first allowed origin; without
// either, a path the host puts its origin in front of.
const storeOrigin = () => storefrontOrigin(() => env().ALLOWED_ORIGINS[0] ?? "");

async function candidates(limit: number): Promise<Candidate[]> {
  const runtime = currentRuntime();
  const cutoff = new Date(runtime.now() - env().CART_ABANDONED_AFTER_SECONDS * 1000).toISOString();
  // Through the user-carts partial index (active, signed-in, by updated_at's bucket), oldest first.
  const rows = rowsOf<{ id: string; version: number | string; email: string }>(
    await (await db()).execute(sql`
      select c.id, c.version, coalesce(o.email, u.email) as email from cart_carts c
        left join cart_user_emails o on o.user_id = c.user_id
        left join cart_users u on u.id = c.user_id
      where c.user_id is not null and c.status = 'active' and ${cartsUpdatedBefore(sql`${cutoff}::timestamptz`, "c")} and c.scope = ${runtime.scope}
        and coalesce(o.email, u.email) is not null
        and exists (select 1 from cart_lines l where l.cart_id = c.id)
        and not exists (select 1 from cart_abandonments a where a.cart_id = c.id and a.version >= c.version)
      order by c.updated_bucket
      limit ${limit}`),
  );
  return rows.map((r) => ({ id: r.id, version: Number(r.version), email: r.email }));
}

// Records the events of one batch in one transaction; returns how many it recorded.
async function recordBatch(found: Candidate[]): Promise<number> {
  const database = await db();
  // Read and priced before the transaction (nothing reads the catalog under a lock).
  const snapshots = (await Promise.all(found.map((c) => readSnapshot(database, c.id)))).filter(
    (s): s is CartSnapshot => s !== null && s.lines.length > 0,
  );
  const products = await productsById(snapshots.flatMap((s) => s.lines.map((l) => l.productId)));
  const at = new Date(currentRuntime().now()).toISOString();
  return database.transaction(async (tx) => {
    let recorded = 0;
    for (const snapshot of snapshots) {
      const email = found.find((c) => c.id === snapshot.id)!.email;
      // Once per (cart, version), and only while the cart still is at that version.
      const claimed = rowsOf(
        await tx.execute(sql`
          insert into cart_abandonments (cart_id, version, recorded_at)
          select ${snapshot.id}::uuid, ${snapshot.version}::int, ${at}::timestamptz
          where exists (select 1 from cart_carts where id = ${snapshot.id}::uuid and version = ${snapshot.version} and status = 'active')
          on conflict (cart_id) do update set version = excluded.version, recorded_at = excluded.recorded_at
            where cart_abandonments.version < excluded.version
          returning 1`),
      );
      if (claimed.length === 0) continue;
      const link = await storeRecoveryLink(tx, snapshot.id, { lines: snapshot.lines, note: snapshot.note }, storeOrigin());
      await recordEvent(tx, "cart.abandoned", snapshotEventData(snapshot, products, { email, recoveryUrl: link.url, recoveryExpiresAt: link.expiresAt }));
      recorded += 1;
    }
    return recorded;
  });
}

// One run: batch after batch until none is left (or MAX_BATCHES). Nothing is recorded, nor
// looked for, while the instance has no endpoint (no WEBHOOK_URLS, no onEvent).
export async function recordAbandoned(batchSize = env().EVENTS_BATCH_SIZE): Promise<number> {
  if (!eventsRecorded()) return 0;
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
    const found = await candidates(batchSize);
    if (found.length === 0) break;
    total += await recordBatch(found);
    if (found.length < batchSize) break;
  }
  if (total > 0) recordAbandonedCarts(total);
  return total;
}

// Delivered and given-up events past EVENTS_KEEP_DAYS, in batches (as the cleanup does).
export async function pruneDeliveredEvents(batchSize = 500): Promise<number> {
  const runtime = currentRuntime();
  const cutoff = new Date(runtime.now() - env().EVENTS_KEEP_DAYS * 86_400_000).toISOString();
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
    const [row] = rowsOf<{ n: number | string }>(
      await (await db()).execute(sql`
        with batch as (
          select ctid from cart_event_outbox
          where created_at < ${cutoff}::timestamptz and (delivered_at is not null or failed_at is not null)
          order by created_at limit ${batchSize}
          for update skip locked
        ), gone as (
          delete from cart_event_outbox where ctid = any(array(select ctid from batch)) returning 1
        )
        select count(*)::int as n from gone`),
    );
    const n = Number(row?.n ?? 0);
    total += n;
    if (n < batchSize) break;
  }
  return total;
}
