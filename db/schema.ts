import { sql, type SQL } from "drizzle-orm";
import type { AdapterAccountType } from "@auth/core/adapters";
import {
  bigint,
  boolean,
  check,
  char,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// The catalog. `id` is the SKU; prices are integers in minor units.
export const products = pgTable(
  "cart_products",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    price: integer("price").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    active: boolean("active").notNull().default(true),
    image: text("image").notNull(),
    // Merchandising order in the catalog.
    position: integer("position").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("cart_products_slug_key").on(t.slug), check("cart_products_price_nonnegative", sql`${t.price} >= 0`)],
);

// The 10-minute bucket (UTC) of a time: cart_carts.updated_bucket is this of updated_at.
const updatedBucketOf = (at: SQL) => sql`date_bin('10 minutes', ${at} at time zone 'UTC', timestamp '2000-01-01')`;

// Carts last changed before `cutoff` (a timestamptz expression), through the bucket indexes
// below: the bucket bound finds them by index (and at most one bucket more), updated_at decides.
// `alias`: the query's name for cart_carts, where another table has an updated_at too.
export function cartsUpdatedBefore(cutoff: SQL, alias?: string): SQL {
  const column = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
  return sql`${column("updated_bucket")} <= ${updatedBucketOf(sql`(${cutoff})`)} and ${column("updated_at")} < ${cutoff}`;
}

// A cart, guest (`user_id` null) or user. `version` is bumped in the same
// transaction as every change to the cart or its lines.
export const carts = pgTable(
  "cart_carts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id"),
    // "ordered": a checkout of it was completed (lib/checkout); its owner moved on to a new cart.
    status: text("status", { enum: ["active", "merged", "closed", "ordered"] }).notNull().default("active"),
    version: integer("version").notNull().default(0),
    currency: char("currency", { length: 3 }).notNull(),
    mergedInto: uuid("merged_into"),
    // The shopper's note to the store (at most 500 characters), null when none.
    note: text("note"),
    // The instance (market) the cart belongs to: createCart's `scope`, "default" unless set.
    scope: text("scope").notNull().default("default"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    // updated_at's 10-minute bucket (UTC), what the jobs' indexes hold instead of updated_at
    // itself: every change bumps version and updated_at, and an update that changes no indexed
    // column is a HOT update (no new index entries, dead versions pruned within the page). With
    // updated_at indexed, each change added entries to two indexes and a busy cart's lookups by
    // id walked every dead version until vacuum. The bucket changes at most once per 10 minutes.
    updatedBucket: timestamp("updated_bucket").generatedAlwaysAs(updatedBucketOf(sql`updated_at`)),
  },
  (t) => [
    // The cleanup's batches (lib/jobs/cleanup.ts) and the abandoned carts' (lib/jobs/abandoned.ts):
    // each filter has its own partial index, so a batch reads only the rows it takes (and at most
    // one bucket more), oldest bucket first; `updated_at < cutoff` decides. (These replace one
    // (status, updated_at) index that no query but the cleanup could use, and that made guest
    // batches skip user carts.)
    index("cart_carts_guest_active_bucket_idx").on(t.updatedBucket).where(sql`${t.userId} is null and ${t.status} = 'active'`),
    index("cart_carts_user_active_bucket_idx").on(t.updatedBucket).where(sql`${t.userId} is not null and ${t.status} = 'active'`),
    // Merged and ordered carts (a completed checkout's) leave together, after the same grace.
    index("cart_carts_merged_bucket_idx").on(t.updatedBucket).where(sql`${t.status} in ('merged', 'ordered')`),
    // One active cart per user and scope, enforced by the database.
    uniqueIndex("cart_carts_one_active_per_user").on(t.userId, t.scope).where(sql`${t.status} = 'active' and ${t.userId} is not null`),
    check("cart_carts_status_valid", sql`${t.status} in ('active', 'merged', 'closed', 'ordered')`),
  ],
);

// One line per product and properties per cart; `seq` keeps the order lines were first added.
// A line's identity is its product and `line_key`: '' for a line without properties (every line
// written before properties existed), else a hash of the canonical properties
// (lib/cart/domain.ts lineKeyOf). The contract's lineId is derived from both (lineIdOf).
export const cartItems = pgTable(
  "cart_lines",
  {
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    cartId: uuid("cart_id")
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    // The catalog adapter's id: no foreign key, the catalog is the host's.
    productId: text("product_id").notNull(),
    lineKey: text("line_key").notNull().default(""),
    properties: jsonb("properties").$type<Record<string, string>>().notNull().default({}),
    quantity: integer("quantity").notNull(),
    addedUnitPrice: integer("added_unit_price").notNull(),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("cart_lines_cart_line_key").on(t.cartId, t.productId, t.lineKey),
    check("cart_lines_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

// Accounts: the Auth.js Drizzle adapter's tables, plus a password hash for the Credentials provider.
export const users = pgTable(
  "cart_users",
  {
    id: text("id")
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text("name"),
    // Stored trimmed and lower-cased (lib/identity/config.ts wraps the adapter's writes); the
    // unique index is on lower(email), so no differently-cased address is ever a second user.
    email: text("email"),
    // Set only by a provider that verified the address (never by a sign-up): admins by email need it.
    emailVerified: timestamp("email_verified", { mode: "date", withTimezone: true }),
    image: text("image"),
    passwordHash: text("password_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("cart_users_email_lower_key").on(sql`lower(${t.email})`)],
);

export const accounts = pgTable(
  "cart_accounts",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").$type<AdapterAccountType>().notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const verificationTokens = pgTable(
  "cart_verification_tokens",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamp("expires", { mode: "date", withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

// Signed-in sessions, kept in Postgres so that signing out is final even if
// Redis loses its copy: every signed-in request whose store record is
// missing checks here, and a revoked session reaches nothing.
export const userSessions = pgTable(
  "cart_user_sessions",
  {
    sid: text("sid").primaryKey(),
    // The identity adapter's user id: no foreign key, the users may be the host's.
    userId: text("user_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("cart_user_sessions_user_idx").on(t.userId),
    // The cleanup's batches: revoked rows past a grace, and rows past the absolute lifetime.
    index("cart_user_sessions_revoked_at_idx").on(t.revokedAt).where(sql`${t.revokedAt} is not null`),
    index("cart_user_sessions_created_at_idx").on(t.createdAt),
  ],
);

// A recovery link: the lines its cart held when the link was made (a
// snapshot, so later changes to that cart never reach the link). The sealed
// token names this row; `source_cart_id` is kept for auditing only and is
// never read to restore (no foreign key: the link outlives its cart).
export const recoveryLinks = pgTable(
  "cart_recovery_links",
  {
    id: text("id").primaryKey(),
    lines: jsonb("lines").$type<{ productId: string; quantity: number; properties?: Record<string, string> }[]>().notNull(),
    // The cart's note when the link was made.
    note: text("note"),
    sourceCartId: uuid("source_cart_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("cart_recovery_links_expires_at_idx").on(t.expiresAt),
    // A cart's live links (at most RECOVERY_LINKS_PER_CART, lib/session/recovery-link.ts).
    index("cart_recovery_links_source_idx").on(t.sourceCartId, t.createdAt),
  ],
);

// A recovery link redeemed into a cart (`token_id` is the link's id): once
// per (link, cart), and at most RECOVERY_LINK_MAX_REDEMPTIONS carts per link.
export const recoveryRedemptions = pgTable(
  "cart_recovery_redemptions",
  {
    tokenId: text("token_id").notNull(),
    cartId: uuid("cart_id")
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    redeemedAt: timestamp("redeemed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tokenId, t.cartId] }),
    // Deleting a cart cascades here: without this, each deleted cart would scan the table.
    index("cart_recovery_redemptions_cart_idx").on(t.cartId),
    // The cleanup's batches of redemptions older than any link could live.
    index("cart_recovery_redemptions_redeemed_at_idx").on(t.redeemedAt),
  ],
);

// Outcomes of requests sent with an Idempotency-Key, kept 24 hours. A cart
// change writes its row in the same transaction as the change, so a retry
// after a crash between commit and answer replays instead of re-applying.
export const idempotencyKeys = pgTable(
  "cart_idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: integer("status").notNull(),
    body: jsonb("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("cart_idempotency_keys_created_idx").on(t.createdAt)],
);

// One row per cleanup run (lib/jobs/cleanup.ts), newest kept: what each run
// removed (or would have, with `dry_run`), for operators and the dashboard.
export const cleanupRuns = pgTable(
  "cart_cleanup_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    trigger: text("trigger").notNull(),
    dryRun: boolean("dry_run").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    batches: integer("batches").notNull(),
    // Rows removed per kind, e.g. {"guestCarts": 1200, "userSessions": 3}.
    deleted: jsonb("deleted").$type<Record<string, number>>().notNull(),
    // False when the time budget ran out before every kind was done.
    complete: boolean("complete").notNull(),
    error: text("error"),
  },
  (t) => [index("cart_cleanup_runs_started_at_idx").on(t.startedAt)],
);

// A checkout (lib/checkout): a priced snapshot of a cart handed to the host's checkout. `lines`
// are the contract's checkout lines; completing it marks the cart ordered and moves its owner to
// `next_cart_id`, which holds what was added after the snapshot. No foreign key to the cart: the
// checkout (an order's record) outlives it.
export const checkouts = pgTable(
  "cart_checkouts",
  {
    id: text("id").primaryKey(),
    cartId: uuid("cart_id").notNull(),
    userId: text("user_id"),
    scope: text("scope").notNull().default("default"),
    status: text("status", { enum: ["open", "completed", "cancelled"] }).notNull().default("open"),
    cartVersion: integer("cart_version").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    lines: jsonb("lines")
      .$type<{ lineId: string; productId: string; name: string; unitPrice: number; quantity: number; properties: Record<string, string>; lineTotal: number }[]>()
      .notNull(),
    note: text("note"),
    itemCount: integer("item_count").notNull(),
    subtotal: integer("subtotal").notNull(),
    // The notices the checkout was created with (lines left out, prices changed).
    notices: jsonb("notices").$type<unknown[]>().notNull().default([]),
    orderId: text("order_id"),
    nextCartId: uuid("next_cart_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
  },
  (t) => [
    index("cart_checkouts_cart_idx").on(t.cartId, t.createdAt),
    index("cart_checkouts_next_cart_idx").on(t.nextCartId).where(sql`${t.nextCartId} is not null`),
    index("cart_checkouts_user_idx").on(t.userId, t.scope, t.createdAt).where(sql`${t.userId} is not null`),
    check("cart_checkouts_status_valid", sql`${t.status} in ('open', 'completed', 'cancelled')`),
  ],
);

export type CartRow = typeof carts.$inferSelect;

// The transactional outbox (lib/events/outbox.ts): one row per (event, endpoint), written in
// the same transaction as the change it tells of, delivered after the commit by the event
// worker (lib/events/delivery.ts). `id` is the event's id, the same for every endpoint and
// every attempt (Standard Webhooks' `webhook-id`): receivers dedupe by it. A row is claimed by
// one worker at a time through `lease_until` (FOR UPDATE SKIP LOCKED, then a lease: no
// session state, so PgBouncer's transaction pooling and PGlite serve it too). Times come from
// the instance's clock.
export const eventOutbox = pgTable(
  "cart_event_outbox",
  {
    id: text("id").notNull(),
    // "webhook:<url>" or "process" (createCart's onEvent).
    endpoint: text("endpoint").notNull(),
    scope: text("scope").notNull(),
    type: text("type").notNull(),
    cartId: uuid("cart_id"),
    cartVersion: integer("cart_version"),
    // The event's body: {"type", "timestamp", "data"}.
    payload: jsonb("payload").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    // Given up after the retry window (WEBHOOK_RETRY_HOURS).
    failedAt: timestamp("failed_at", { withTimezone: true }),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.endpoint] }),
    // The worker's claim: rows still to deliver, soonest first.
    index("cart_event_outbox_due_idx").on(t.scope, t.nextAttemptAt).where(sql`${t.deliveredAt} is null and ${t.failedAt} is null`),
    // The cleanup of delivered and given-up rows.
    index("cart_event_outbox_created_idx").on(t.createdAt),
  ],
);

// Abandoned carts already told (lib/jobs/abandoned.ts): the version each cart was idle at when
// `cart.abandoned` was recorded, so one idle period yields one event however many jobs run.
export const cartAbandonments = pgTable("cart_abandonments", {
  cartId: uuid("cart_id")
    .primaryKey()
    .references(() => carts.id, { onDelete: "cascade" }),
  version: integer("version").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull(),
});

// The email a signed-in owner gave at sign-in (createCart's signedIn({ id, email }), the Auth.js
// integration's too), kept while events are on: what cart events carry as `email` and what an
// abandoned cart's mail is sent to, when the users are the host's and not in cart_users.
export const userEmails = pgTable("cart_user_emails", {
  userId: text("user_id").primaryKey(),
  email: text("email").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
