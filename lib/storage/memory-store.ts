import type { BackoffPolicy, KeyValueStore, StoreArea } from "./kv";
import { backoffMemoryMs, parseVersioned } from "./kv";

interface Entry {
  value: string;
  expiresAt: number;
}

// Entries of one kind, least recently used evicted first (a Map iterates in
// insertion order, so every use moves an entry to the end).
class LruMap {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  put(key: string, value: string, ttlSeconds: number) {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  delete(key: string) {
    this.entries.delete(key);
  }

  clear() {
    this.entries.clear();
  }

  // Drops (or, with `dryRun`, counts) the entries already past their expiry.
  sweep(now: number, dryRun: boolean): number {
    let expired = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      expired += 1;
      if (!dryRun) this.entries.delete(key);
    }
    return expired;
  }
}

// In-process store for the zero-config embedded default only: one process,
// no persistence. Bounded so a long-running dev server cannot grow forever,
// with the cart cache, session records and markers (rate-limit counters,
// leases) in separate LRU pools: a flood of one kind never evicts another.
export class MemoryStore implements KeyValueStore {
  readonly kind = "memory" as const;
  private readonly pools: Record<StoreArea, LruMap>;

  constructor(maxEntriesPerPool = 100_000) {
    this.pools = { cache: new LruMap(maxEntriesPerPool), sessions: new LruMap(maxEntriesPerPool), markers: new LruMap(maxEntriesPerPool) };
  }

  // The caller names the area (StoreArea); a call that names none is a marker.
  private live(key: string, area: StoreArea): Entry | undefined {
    return this.pools[area].live(key);
  }

  private put(key: string, value: string, ttlSeconds: number, area: StoreArea) {
    this.pools[area].put(key, value, ttlSeconds);
  }

  async get(key: string, area: StoreArea = "markers") {
    return this.live(key, area)?.value ?? null;
  }

  async getAndTouch(key: string, ttlSeconds: number, area: StoreArea = "markers") {
    const entry = this.live(key, area);
    if (!entry) return null;
    entry.expiresAt = Date.now() + ttlSeconds * 1000;
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number, area: StoreArea = "markers") {
    this.put(key, value, ttlSeconds, area);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number, area: StoreArea = "markers") {
    if (this.live(key, area)) return false;
    this.put(key, value, ttlSeconds, area);
    return true;
  }

  async setIfNewer(key: string, version: number, value: string, ttlSeconds: number, area: StoreArea = "markers") {
    const current = parseVersioned(this.live(key, area)?.value ?? null);
    if (current && current.version > version) return false;
    this.put(key, `${version}:${value}`, ttlSeconds, area);
    return true;
  }

  async delete(key: string, area: StoreArea = "markers") {
    this.pools[area].delete(key);
  }

  async incrementWithExpiry(key: string, by: number, ttlSeconds: number, area: StoreArea = "markers") {
    const entry = this.live(key, area);
    if (!entry) {
      this.put(key, String(by), ttlSeconds, area);
      return by;
    }
    const next = Number(entry.value) + by;
    entry.value = String(next);
    return next;
  }

  // The same rule as BACKOFF_HIT_SCRIPT (kv.ts), on a JSON value; atomic because it never awaits.
  async hitWithBackoff(key: string, now: number, policy: BackoffPolicy, area: StoreArea = "markers") {
    const stored = this.live(key, area);
    const state = stored ? (JSON.parse(stored.value) as { n: number; start: number; until: number; level: number }) : { n: 0, start: now, until: 0, level: 0 };
    if (state.until > now) return state.until - now;
    if (now - state.start >= policy.windowMs) Object.assign(state, { n: 0, start: now });
    state.n += 1;
    let locked = 0;
    if (state.n > policy.limit) {
      locked = Math.min(policy.lockMs * 2 ** state.level, policy.maxLockMs);
      Object.assign(state, { until: now + locked, level: state.level + 1, n: 0, start: now });
    }
    const ttlMs = Math.max(state.start + policy.windowMs, state.until) - now + backoffMemoryMs(policy);
    this.put(key, JSON.stringify(state), ttlMs / 1000, area);
    return locked;
  }

  // Removes entries already expired. Reads skip them anyway, but an entry
  // nobody reads again would stay until evicted; Redis expires its own keys,
  // so only this store needs sweeping (the cleanup job calls it).
  sweep({ dryRun = false }: { dryRun?: boolean } = {}): number {
    const now = Date.now();
    return Object.values(this.pools).reduce((n, pool) => n + pool.sweep(now, dryRun), 0);
  }

  async ping() {}

  async close() {
    for (const pool of Object.values(this.pools)) pool.clear();
  }
}
