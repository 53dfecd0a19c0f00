import { createHash } from "node:crypto";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { idempotencyKeys } from "../../db/schema";
import { AppError } from "../errors";
import { log } from "../log/logger";
import type { Database } from "../storage/database";
import { db } from "../storage/database";
import { store } from "../storage/store";

// Exactly-once changes under retries (Idempotency-Key). The first outcome
// of a key is kept 24 hours per scope (one per cookie, see Session
// idempotencyScope); a repeat with the same
// request replays it, with another request is refused, and while the first
// still runs gets 409. A cart change stores its outcome in its own
// transaction (see service.ts), so "committed" and "remembered" are one.
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const LEASE_SECONDS = 30;

export interface IdempotencyContext {
  scope: string;
  key: string;
  fingerprint: string;
}

export interface StoredOutcome {
  fingerprint: string;
  status: number;
  body: unknown;
}

type Writer = Pick<Database, "insert">;

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export function isIdempotencyKey(value: unknown): value is string {
  return typeof value === "string" && KEY_PATTERN.test(value);
}

// The key from the header: absent → null; present but not 1–255 printable ASCII → 422.
export function parseIdempotencyKey(header: string | null): string | null {
  if (header === null) return null;
  if (!isIdempotencyKey(header)) {
    throw new AppError("VALIDATION_ERROR", "Idempotency-Key must be 1 to 255 printable ASCII characters.", [
      { path: ["Idempotency-Key"], message: "must be 1 to 255 printable ASCII characters" },
    ]);
  }
  return header;
}

export function fingerprintOf(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method.toUpperCase()} ${path}\n${body}`).digest("base64url");
}

// Postgres's clock decides what expired, for the lookup and the upsert alike,
// so they never disagree about a row (an app clock ahead would see "expired"
// where the upsert sees "live" and answer neither).
const expiredBefore = () => sql`now() - make_interval(secs => ${IDEMPOTENCY_TTL_SECONDS})`;

export async function findOutcome(ctx: IdempotencyContext): Promise<StoredOutcome | null> {
  const [row] = await (await db())
    .select({ fingerprint: idempotencyKeys.fingerprint, status: idempotencyKeys.status, body: idempotencyKeys.body })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, ctx.scope), eq(idempotencyKeys.key, ctx.key), gt(idempotencyKeys.createdAt, expiredBefore())))
    .limit(1);
  return row ?? null;
}

// Another request with this key got there first (its outcome is live): roll back and replay it.
export class DuplicateOutcome extends Error {
  constructor() {
    super("idempotency key already recorded");
    this.name = "DuplicateOutcome";
  }
}

// Writes the key's outcome, or replaces an expired one (not yet cleaned up),
// which then counts as new. Zero rows means a live outcome stands. A
// concurrent duplicate waits on the first's row until it commits, then finds
// it live, so exactly one of them writes.
async function upsertOutcome(writer: Writer, ctx: IdempotencyContext, status: number, body: unknown): Promise<boolean> {
  const written = await writer
    .insert(idempotencyKeys)
    .values({ scope: ctx.scope, key: ctx.key, fingerprint: ctx.fingerprint, status, body })
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: { fingerprint: ctx.fingerprint, status, body, createdAt: sql`now()` },
      setWhere: lt(idempotencyKeys.createdAt, expiredBefore()),
    })
    .returning({ key: idempotencyKeys.key });
  return written.length > 0;
}

// Records the outcome inside the change's transaction. When a live outcome
// already stands it throws DuplicateOutcome, which rolls the change back
// instead of applying it twice.
export async function recordOutcomeInTransaction(writer: Writer, ctx: IdempotencyContext, status: number, body: unknown): Promise<void> {
  if (!(await upsertOutcome(writer, ctx, status, body))) throw new DuplicateOutcome();
}

// Records an outcome that changed nothing (a no-op, a refusal); the first live record stands.
export async function recordOutcome(ctx: IdempotencyContext, status: number, body: unknown): Promise<void> {
  await upsertOutcome(await db(), ctx, status, body);
}

// The stored outcome as an answer to a repeat: replayed, or refused when the request differs.
export function replayable(stored: StoredOutcome, ctx: IdempotencyContext): StoredOutcome {
  if (stored.fingerprint !== ctx.fingerprint) {
    throw new AppError("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a different request.");
  }
  return stored;
}

const leaseKey = (ctx: IdempotencyContext) => `idem:${ctx.scope}:${createHash("sha256").update(ctx.key).digest("base64url")}`;

// Marks the key as running. False when another request holds it (409).
// When the store is away the lease is skipped: the primary key in Postgres
// still turns a concurrent duplicate into a replay.
export async function acquireLease(ctx: IdempotencyContext): Promise<boolean> {
  try {
    return await (await store()).markers.setIfAbsent(leaseKey(ctx), "1", LEASE_SECONDS);
  } catch (err) {
    log.debug("idempotency lease unavailable", { err });
    return true;
  }
}

export async function releaseLease(ctx: IdempotencyContext): Promise<void> {
  try {
    await (await store()).markers.delete(leaseKey(ctx));
  } catch (err) {
    log.debug("idempotency lease release failed", { err });
  }
}

// A concurrent duplicate lost the race for the key (DuplicateOutcome, possibly wrapped).
export function isDuplicateOutcome(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth += 1) {
    if (e instanceof DuplicateOutcome) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
