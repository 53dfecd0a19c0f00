import { currentContext } from "../runtime/context";
import { counter, gauge, histogram } from "./registry";

// Every metric the module exports, and the one function that records each.
// Prometheus conventions: base units (seconds), `_total` on counters, labels
// with few values (a route pattern, never a raw path or an id). This module
// depends on nothing of ours, so every layer may record into it.

// Resolves 5–150 ms, where this app's requests live, and still sees the slow tail.
export const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5];

const requestDuration = () =>
  histogram({
    name: "http_request_duration_seconds",
    help: "Duration of HTTP requests to the app's route handlers, by route pattern, method and status.",
    labelNames: ["route", "method", "status"],
    buckets: REQUEST_BUCKETS,
  });

export function recordRequest(route: string, method: string, status: number, seconds: number): void {
  requestDuration().observe({ route, method, status: String(status) }, seconds);
}

export type CartOperationKind = "add" | "set" | "remove" | "clear" | "restore" | "merge" | "note";

const cartOperations = () =>
  counter({
    name: "cart_operations_total",
    help: "Cart operations by kind and outcome: changed, unchanged, or the refusal's error code.",
    labelNames: ["kind", "outcome"],
  });

export function recordCartOperation(kind: CartOperationKind, outcome: string): void {
  cartOperations().inc({ kind, outcome });
}

const catalogReads = () =>
  counter({
    name: "cart_catalog_reads_total",
    help: "Reads of the module's own catalog table (postgresCatalog): all (the process copy refreshed), by_id (products the copy lacks), fresh (a change's prices).",
    labelNames: ["kind"],
  });

export function recordCatalogRead(kind: "all" | "by_id" | "fresh"): void {
  catalogReads().inc({ kind });
}

const merges = () =>
  counter({ name: "cart_merges_total", help: "Guest-cart merges at sign-in: merged (lines joined) or nothing (no guest lines to merge).", labelNames: ["outcome"] });

export function recordMerge(outcome: "merged" | "nothing"): void {
  merges().inc({ outcome });
}

const redemptions = () =>
  counter({
    name: "cart_recovery_redemptions_total",
    help: "Recovery-link confirmations: restored, already (this cart had it), nothing (no product still sold), or the refusal's error code.",
    labelNames: ["outcome"],
  });

export function recordRecoveryRedemption(outcome: string): void {
  redemptions().inc({ outcome });
}

const cacheLookups = () =>
  counter({ name: "cart_cache_lookups_total", help: "Cart cache reads: hit or miss (a failed read is a miss).", labelNames: ["result"] });

export function recordCacheLookup(hit: boolean): void {
  cacheLookups().inc({ result: hit ? "hit" : "miss" });
}

const storeFallbacks = () =>
  counter({
    name: "cart_store_fallbacks_total",
    help: "Session-store calls that failed and fell back to cookie + Postgres: timeout, error, or circuit_open (skipped).",
    labelNames: ["reason"],
  });

export function recordStoreFallback(reason: "timeout" | "error" | "circuit_open"): void {
  storeFallbacks().inc({ reason });
}

const rejections = () =>
  counter({
    name: "cart_rejections_total",
    help: "Requests refused before any work: rate_limit (429) or overload (503), by scope (session, address, link, password_hash, in_flight, event_loop).",
    labelNames: ["reason", "scope"],
  });

export function recordRejection(reason: "rate_limit" | "overload", scope: string): void {
  rejections().inc({ reason, scope });
}

const idempotent = () =>
  counter({
    name: "cart_idempotent_requests_total",
    help: "Keyed requests that did not run: replayed (stored outcome), reused (key sent for another request), in_progress (key still running).",
    labelNames: ["result"],
  });

export function recordIdempotent(result: "replayed" | "reused" | "in_progress"): void {
  idempotent().inc({ result });
}

const cleanupRuns = () => counter({ name: "cart_cleanup_runs_total", help: "Cleanup runs, by outcome (ok or failed).", labelNames: ["outcome"] });
const cleanupRows = () => counter({ name: "cart_cleanup_rows_removed_total", help: "Rows removed by the cleanup, by kind of row.", labelNames: ["kind"] });
const cleanupLast = () => gauge({ name: "cart_cleanup_last_run_timestamp_seconds", help: "When the last cleanup run of this instance ended (Unix time)." });

// For the cleanup job: one call per run, with the rows it removed by kind.
export function recordCleanupRun(counts: Record<string, number>, outcome: "ok" | "failed" = "ok"): void {
  cleanupRuns().inc({ outcome });
  for (const [kind, n] of Object.entries(counts)) cleanupRows().inc({ kind }, n);
  cleanupLast().set(Date.now() / 1000);
}

const guestSessions = () =>
  counter({
    name: "cart_guest_sessions_recorded_total",
    help: "Guest sessions whose first store record was written (at their first change); signed-in sessions are rows in user_sessions.",
  });

export function recordGuestSessionRecorded(): void {
  guestSessions().inc();
}

const eventDeliveries = () =>
  counter({
    name: "cart_event_deliveries_total",
    help: "Attempts to deliver a cart event, by endpoint kind (webhook or process: onEvent) and outcome: delivered, retry (failed, tried again later) or failed (given up).",
    labelNames: ["endpoint", "outcome"],
  });

export function recordEventDelivery(endpoint: "webhook" | "process", outcome: "delivered" | "retry" | "failed"): void {
  eventDeliveries().inc({ endpoint, outcome });
}

const abandonedCarts = () => counter({ name: "cart_abandoned_total", help: "cart.abandoned events recorded (one per idle period of a signed-in cart)." });

export function recordAbandonedCarts(n: number): void {
  abandonedCarts().inc(n);
}

// The outbox's pending events at scrape time, per instance (its scope): read by a probe the
// instance registers (lib/events/stats.ts through createCart), so this module needs no database.
type EventsProbe = () => Promise<{ waiting: number; failing: number }>;
const EVENT_PROBES = Symbol.for("next-cart.metrics.event-probes");
const eventProbes = ((globalThis as unknown as { [EVENT_PROBES]?: Map<string, EventsProbe> })[EVENT_PROBES] ??= new Map<string, EventsProbe>());

export function setEventsProbe(scope: string, probe: EventsProbe): void {
  eventProbes.set(scope, probe);
}

const eventsPending = () => {
  const scope = currentContext()?.runtime.scope ?? "";
  return gauge({
    name: "cart_events_pending",
    help: "Cart events not delivered yet, by state: waiting (never tried) or failing (tried, to be retried).",
    labelNames: ["state"],
    async collect() {
      const probe = eventProbes.get(scope);
      if (!probe) return;
      try {
        const counts = await probe();
        this.set({ state: "waiting" }, counts.waiting);
        this.set({ state: "failing" }, counts.failing);
      } catch {
        // The database is away: the last figures stay (the health check says why).
      }
    },
  });
};

// Gauges read at scrape time from probes the storage layer registers (kept on globalThis, as
// the registry is, so a probe registered in one module graph is seen from every other).
type Probe = () => number;
const PROBES = Symbol.for("next-cart.metrics.probes");
const probes = ((globalThis as unknown as { [PROBES]?: Map<string, Probe> })[PROBES] ??= new Map<string, Probe>());

export function setProbe(
  name: "store_circuit_open" | "db_pool_max" | "db_queries_in_flight" | "db_transactions_in_flight" | "admission_in_flight" | "event_loop_delay_seconds" | "live_streams",
  probe: Probe,
): void {
  probes.set(name, probe);
}

function probedGauge(name: string, help: string, probe: string): void {
  gauge({
    name,
    help,
    collect() {
      const read = probes.get(probe);
      this.set(read ? read() : 0);
    },
  });
}

// Registers every metric, so each family is exposed (HELP, TYPE) from the first scrape on.
export function registerMetrics(): void {
  probedGauge("cart_store_circuit_open", "1 while the session store's circuit breaker is open (calls skipped), else 0.", "store_circuit_open");
  probedGauge("cart_db_pool_max_connections", "Postgres connections this instance may open (DATABASE_POOL_SIZE); 1 on PGlite.", "db_pool_max");
  probedGauge("cart_db_queries_in_flight", "Postgres statements sent outside a transaction and not yet answered (each holds a pooled connection).", "db_queries_in_flight");
  probedGauge("cart_db_transactions_in_flight", "Postgres transactions open (each holds a pooled connection until it ends).", "db_transactions_in_flight");
  probedGauge("cart_admission_in_flight", "Route-handler requests this instance is serving now (ADMISSION_MAX_IN_FLIGHT bounds it).", "admission_in_flight");
  probedGauge("cart_live_streams", "Live-cart streams (GET /api/cart/live) open on this instance now (LIVE_MAX_STREAMS bounds it).", "live_streams");
  probedGauge("cart_event_loop_delay_seconds", "Worst event-loop delay of the last 250 ms window, once ADMISSION_MAX_EVENT_LOOP_DELAY_MS is on.", "event_loop_delay_seconds");
  for (const register of [requestDuration, cartOperations, catalogReads, merges, redemptions, cacheLookups, storeFallbacks, rejections, idempotent, cleanupRuns, cleanupRows, cleanupLast, guestSessions, eventDeliveries, abandonedCarts, eventsPending]) {
    register();
  }
}
