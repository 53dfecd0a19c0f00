import type { Env } from "../config/env";
import { currentRuntime } from "../runtime/context";
import { forgetSharedResource, sharedResource } from "../runtime/shared";
import { log } from "../log/logger";
import { recordStoreFallback } from "../observe/metrics";
import type { BackoffPolicy, KeyValueStore, StoreArea } from "./kv";
import { MemoryStore } from "./memory-store";
import { closePubSub } from "./pubsub";

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

// A call that outlived STORE_TIMEOUT_MS (told apart from a failure in the metrics).
class StoreTimeoutError extends StoreUnavailableError {}

// One promise and one timer per call (not a race of two plus a finally): every store call of
// every request passes here. The timeout gives way to a reply that is already in: when the event
// loop runs late (a busy process), expired timers run before the loop reads its sockets, so a
// reply that arrived in time would otherwise lose to its own timer; setImmediate waits out that
// one read.
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => reject(new StoreTimeoutError(`store call timed out after ${ms} ms`))), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

// At most this many unconfirmed keys are remembered (see ResilientStore).
const MAX_UNCONFIRMED = 100_000;
// Unconfirmed keys are deleted this many at a time, each batch within the store timeout.
const EVICTION_BATCH = 500;

// One area of a ResilientStore: the same calls, each naming the area to the backend.
export class StoreAreaView {
  constructor(
    private readonly store: ResilientStore,
    readonly area: StoreArea,
  ) {}

  get(name: string) {
    return this.store.call((b) => b.get(this.store.key(name), this.area));
  }
  getAndTouch(name: string, ttlSeconds: number) {
    return this.store.call((b) => b.getAndTouch(this.store.key(name), ttlSeconds, this.area));
  }
  set(name: string, value: string, ttlSeconds: number) {
    return this.store.call((b) => b.set(this.store.key(name), value, ttlSeconds, this.area));
  }
  setIfAbsent(name: string, value: string, ttlSeconds: number) {
    return this.store.call((b) => b.setIfAbsent(this.store.key(name), value, ttlSeconds, this.area));
  }
  setIfNewer(name: string, version: number, value: string, ttlSeconds: number) {
    const key = this.store.key(name);
    return this.store.call((b) => b.setIfNewer(key, version, value, ttlSeconds, this.area), { key, area: this.area });
  }
  delete(name: string) {
    const key = this.store.key(name);
    return this.store.call((b) => b.delete(key, this.area), { key, area: this.area });
  }
  incrementWithExpiry(name: string, by: number, ttlSeconds: number) {
    return this.store.call((b) => b.incrementWithExpiry(this.store.key(name), by, ttlSeconds, this.area));
  }
  hitWithBackoff(name: string, now: number, policy: BackoffPolicy) {
    return this.store.call((b) => b.hitWithBackoff(this.store.key(name), now, policy, this.area));
  }
}

// Wraps a backend with the key prefix, a timeout on every call and a small
// circuit breaker: after consecutive failures the store is skipped for a
// moment, so an outage costs callers nothing instead of a timeout each.
// Callers catch StoreUnavailableError and fall back to cookie + Postgres.
//
// A versioned write (`setIfNewer`) or a `delete` that failed, timed out or
// was skipped by the open circuit leaves its key in an unknown state: the
// store may still hold an older value (Redis paused or partitioned, not
// lost), and every instance reads that key. Such keys are deleted at once
// when the store answers, else remembered and deleted as soon as it does
// again (before this instance's next call, or by a timer when that call does
// not come), so a cache never serves what Postgres has since moved past.
export class ResilientStore {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private readonly unconfirmed = new Map<string, StoreArea>();
  private evicting: Promise<void> | undefined;
  private evictionTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly backend: KeyValueStore,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly breakerMs = 1000,
  ) {}

  get kind() {
    return this.backend.kind;
  }

  // Calls are being skipped after consecutive failures (the cart_store_circuit_open gauge).
  get circuitOpen(): boolean {
    return Date.now() < this.openUntil;
  }

  // Runs one backend call. `unconfirmedKey`: the key this call writes, to be
  // deleted later when the write cannot be confirmed.
  async call<T>(op: (b: KeyValueStore) => Promise<T>, unconfirmed?: { key: string; area: StoreArea }): Promise<T> {
    if (this.circuitOpen) {
      this.remember(unconfirmed);
      this.scheduleEviction();
      recordStoreFallback("circuit_open");
      throw new StoreUnavailableError("store circuit open");
    }
    try {
      if (this.unconfirmed.size > 0) await this.evictUnconfirmed();
      const result = await withTimeout(op(this.backend), this.timeoutMs);
      this.consecutiveFailures = 0;
      return result;
    } catch (err) {
      this.remember(unconfirmed);
      recordStoreFallback(err instanceof StoreTimeoutError ? "timeout" : "error");
      this.consecutiveFailures += 1;
      if (this.consecutiveFailures >= 3) this.openUntil = Date.now() + this.breakerMs;
      // Not awaited: the caller's answer does not wait on a second try at a store that just failed.
      if (unconfirmed) void this.evictOrRetryLater();
      throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError("store call failed", { cause: err });
    }
  }

  // After a write that could not be confirmed: its key is deleted at once, on the same connection
  // behind the write (one try within the timeout), unless the circuit is open; failing that, a
  // timer tries again once the circuit lets it. Other instances read the key meanwhile: waiting
  // for this instance's next call could leave them an older cart for the cache's whole TTL.
  private async evictOrRetryLater(): Promise<void> {
    if (this.circuitOpen) return this.scheduleEviction();
    await this.evictUnconfirmed().catch(() => this.scheduleEviction());
  }

  private scheduleEviction(): void {
    if (this.evictionTimer || this.unconfirmed.size === 0) return;
    const delay = Math.max(this.openUntil - Date.now(), 0) + this.breakerMs;
    this.evictionTimer = setTimeout(() => {
      this.evictionTimer = undefined;
      void this.evictOrRetryLater();
    }, delay).unref();
  }

  private remember(entry: { key: string; area: StoreArea } | undefined) {
    if (entry === undefined) return;
    if (this.unconfirmed.size >= MAX_UNCONFIRMED) {
      log.warn("too many unconfirmed store writes during an outage; older ones may serve stale cache until their TTL", { max: MAX_UNCONFIRMED });
      const oldest = this.unconfirmed.keys().next().value;
      if (oldest !== undefined) this.unconfirmed.delete(oldest);
    }
    this.unconfirmed.set(entry.key, entry.area);
  }

  // Deletes every unconfirmed key; concurrent callers share one pass and
  // wait for it. Throws when the store fails again (the keys stay remembered).
  private evictUnconfirmed(): Promise<void> {
    this.evicting ??= (async () => {
      while (this.unconfirmed.size > 0) {
        const batch: [string, StoreArea][] = [];
        for (const entry of this.unconfirmed) {
          batch.push(entry);
          if (batch.length >= EVICTION_BATCH) break;
        }
        await withTimeout(Promise.all(batch.map(([k, area]) => this.backend.delete(k, area))), this.timeoutMs);
        for (const [k] of batch) this.unconfirmed.delete(k);
      }
    })().finally(() => {
      this.evicting = undefined;
    });
    return this.evicting;
  }

  key(name: string) {
    return this.prefix + name;
  }

  // The store's areas (StoreArea): every caller says which kind of entry it touches.
  readonly cache = new StoreAreaView(this, "cache");
  readonly sessions = new StoreAreaView(this, "sessions");
  readonly markers = new StoreAreaView(this, "markers");

  // Expired entries removed (counted with `dryRun`); 0 for Redis and Upstash, which expire their own keys.
  sweepExpired(options: { dryRun?: boolean } = {}): number {
    return this.backend instanceof MemoryStore ? this.backend.sweep(options) : 0;
  }

  // Health probe: bypasses the breaker so it reports the truth right now.
  async check(): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
    const started = performance.now();
    try {
      await withTimeout(this.backend.ping(), this.timeoutMs);
      this.consecutiveFailures = 0;
      this.openUntil = 0;
      // Back: clean up what the outage left unconfirmed without waiting for the next request.
      if (this.unconfirmed.size > 0) this.evictUnconfirmed().catch(() => {});
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { ok: false, latencyMs: Math.round(performance.now() - started), error: err instanceof Error ? err.message : "unavailable" };
    }
  }

  close() {
    clearTimeout(this.evictionTimer);
    this.evictionTimer = undefined;
    return this.backend.close();
  }
}

// What identifies the backend these settings name (one per process, shared by every instance naming it).
function backendId(config: Env): string {
  if (config.REDIS_URL) return `kv:${config.REDIS_URL}`;
  if (config.REDIS_CLUSTER_NODES.length > 0) return `kv:cluster:${config.REDIS_CLUSTER_NODES.join(",")}`;
  if (config.UPSTASH_REDIS_REST_URL) return `kv:upstash:${config.UPSTASH_REDIS_REST_URL}`;
  return "kv:memory";
}

// Closes the backend these settings name, for tests and graceful shutdown (the next caller opens a new one).
export async function closeBackend(config: Env): Promise<void> {
  const pending = forgetSharedResource(backendId(config)) as Promise<KeyValueStore> | undefined;
  if (pending) await (await pending.catch(() => null))?.close();
  // Its pub/sub connections (live carts) too.
  await closePubSub(config);
}

// The backend these settings name, one per Redis URL, cluster or Upstash database in this
// process, shared by every instance that names it (each keeps its own key prefix).
export function openBackend(config: Env): Promise<KeyValueStore> {
  if (config.REDIS_URL) {
    const url = config.REDIS_URL;
    return sharedResource(backendId(config), async () => {
      const { RedisStore } = await import("./redis-store");
      return new RedisStore({ url }, config.STORE_TIMEOUT_MS);
    });
  }
  if (config.REDIS_CLUSTER_NODES.length > 0) {
    const nodes = config.REDIS_CLUSTER_NODES;
    return sharedResource(backendId(config), async () => {
      const { RedisStore } = await import("./redis-store");
      return new RedisStore({ clusterNodes: nodes }, config.STORE_TIMEOUT_MS);
    });
  }
  if (config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN) {
    const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = config;
    return sharedResource(backendId(config), async () => {
      const { UpstashStore } = await import("./upstash-store");
      return new UpstashStore(url, token, config.STORE_TIMEOUT_MS);
    });
  }
  return sharedResource(backendId(config), async () => {
    if (config.NODE_ENV === "production") {
      log.warn("no REDIS_URL, REDIS_CLUSTER_NODES or UPSTASH_REDIS_REST_URL: sessions live in this process only; run one instance or configure Redis");
    }
    return new MemoryStore();
  });
}

// Whether these settings keep the store in this process (the only store the cleanup sweeps).
export function storeInProcess(config: Env): boolean {
  return !config.REDIS_URL && config.REDIS_CLUSTER_NODES.length === 0 && !config.UPSTASH_REDIS_REST_URL;
}

// The current instance's store (lib/runtime/context.ts): its prefix and timeout over the shared backend.
export function store(): Promise<ResilientStore> {
  return currentRuntime().store();
}
