/**
 * One behavioural suite for every KeyValueStore backend: in-process memory,
 * Redis over TCP (real redis-server) and @upstash/redis over REST (through the
 * Upstash REST fixture, which forwards to the same real redis-server).
 * Redis-backed runs also read TTLs straight from Redis with a raw client.
 */
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeyValueStore, parseVersioned } from "@/lib/storage/kv";
import { MemoryStore } from "@/lib/storage/memory-store";
import { RedisStore } from "@/lib/storage/redis-store";
import { ResilientStore, StoreUnavailableError } from "@/lib/storage/store";
import { UpstashStore } from "@/lib/storage/upstash-store";
import { eventually } from "../support/cart-load";
import { startRedisProcess } from "../support/redis-process";
import { redisUrl, uniquePrefix } from "../support/services";
import { startUpstashRestServer, type UpstashRestServer } from "../support/upstash-rest-server";

const prefix = uniquePrefix("kv-store");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A store whose connection is up (its first call connects, which a short timeout may not cover on a busy machine).
async function connected(store: ResilientStore): Promise<void> {
  if (!(await eventually(async () => (await store.check()).ok, 5_000))) throw new Error("the store never answered");
}

const raw = createClient({ url: redisUrl });
let fixture: UpstashRestServer;

beforeAll(async () => {
  await raw.connect();
  fixture = await startUpstashRestServer({ redisUrl, token: `token-${Math.random().toString(36).slice(2)}` });
});

afterAll(async () => {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length > 0) await raw.del(keys);
  await raw.close();
  await fixture?.close();
});

const backends: { name: KeyValueStore["kind"]; create: () => KeyValueStore }[] = [
  { name: "memory", create: () => new MemoryStore() },
  { name: "redis", create: () => new RedisStore({ url: redisUrl }, 500) },
  { name: "upstash", create: () => new UpstashStore(fixture.url, fixture.token, 1000) },
];

describe.each(backends)("$name store", ({ name, create }) => {
  let store: KeyValueStore;
  const p = `${prefix}${name}:`;
  const inRedis = name !== "memory";

  beforeAll(() => {
    store = create();
  });
  afterAll(async () => {
    await store.close();
  });

  it("reports its kind and answers ping", async () => {
    expect(store.kind).toBe(name);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("round-trips strings, including unicode, JSON and look-alikes of other types", async () => {
    const values = ['{"a":"é漢🛒"}', "plain", "", "OK", "123", "null", "true", 'line\nbreak "quoted" \\ back', "é漢🛒".repeat(200)];
    for (const [i, value] of values.entries()) {
      await store.set(`${p}rt:${i}`, value, 60);
      expect(await store.get(`${p}rt:${i}`)).toBe(value);
    }
    await store.set(`${p}rt:0`, "replaced", 60);
    expect(await store.get(`${p}rt:0`)).toBe("replaced");
    expect(await store.get(`${p}rt:missing`)).toBeNull();
    if (inRedis) expect(await raw.get(`${p}rt:1`)).toBe("plain");
  });

  it("handles concurrent calls (auto-pipelined on upstash) with the right result each", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => i);
    await Promise.all(ids.map((i) => store.set(`${p}conc:${i}`, `value-${i}-é`, 60)));
    const got = await Promise.all([...ids.map((i) => store.get(`${p}conc:${i}`)), store.get(`${p}conc:missing`)]);
    expect(got).toEqual([...ids.map((i) => `value-${i}-é`), null]);
  });

  it("expires every kind of write after its TTL, and counters restart after the window", async () => {
    await store.set(`${p}ttl:set`, "v", 1);
    expect(await store.setIfAbsent(`${p}ttl:nx`, "v", 1)).toBe(true);
    expect(await store.setIfNewer(`${p}ttl:ver`, 5, "v", 1)).toBe(true);
    expect(await store.incrementWithExpiry(`${p}ttl:count`, 1, 1)).toBe(1);
    // A later increment must not extend the window.
    expect(await store.incrementWithExpiry(`${p}ttl:count`, 1, 100)).toBe(2);
    expect(await store.get(`${p}ttl:set`)).toBe("v");
    if (inRedis) {
      expect(await raw.pTTL(`${p}ttl:set`)).toBeGreaterThan(0);
      expect(await raw.pTTL(`${p}ttl:count`)).toBeLessThanOrEqual(1000);
    }

    await sleep(1_500);

    expect(await store.get(`${p}ttl:set`)).toBeNull();
    expect(await store.get(`${p}ttl:nx`)).toBeNull();
    expect(await store.get(`${p}ttl:ver`)).toBeNull();
    expect(await store.getAndTouch(`${p}ttl:set`, 60)).toBeNull();
    expect(await store.incrementWithExpiry(`${p}ttl:count`, 1, 100)).toBe(1);
    // Expired entries no longer block conditional writes.
    expect(await store.setIfAbsent(`${p}ttl:nx`, "again", 60)).toBe(true);
    expect(await store.setIfNewer(`${p}ttl:ver`, 1, "older but alone", 60)).toBe(true);
  });

  it("getAndTouch returns the value and extends its TTL", async () => {
    const key = `${p}touch`;
    await store.set(key, "session", 1);
    expect(await store.getAndTouch(key, 30)).toBe("session");
    if (inRedis) {
      const ttl = await raw.ttl(key);
      expect(ttl).toBeGreaterThan(25);
      expect(ttl).toBeLessThanOrEqual(30);
    }
    await sleep(1_300);
    expect(await store.get(key)).toBe("session");
    expect(await store.getAndTouch(`${p}touch:missing`, 30)).toBeNull();
    if (inRedis) expect(await raw.exists(`${p}touch:missing`)).toBe(0);
  });

  it("setIfAbsent sets only when the key is absent", async () => {
    const key = `${p}nx`;
    expect(await store.setIfAbsent(key, "first", 60)).toBe(true);
    expect(await store.setIfAbsent(key, "second", 60)).toBe(false);
    expect(await store.get(key)).toBe("first");
    if (inRedis) expect(await raw.ttl(key)).toBeGreaterThan(50);
    await store.delete(key);
    expect(await store.setIfAbsent(key, "third", 60)).toBe(true);
    expect(await store.get(key)).toBe("third");
  });

  it("setIfNewer keeps the highest version and values containing ':' intact", async () => {
    const key = `${p}ver`;
    expect(await store.setIfNewer(key, 2, "v2:with:colons", 60)).toBe(true);
    expect(await store.get(key)).toBe("2:v2:with:colons");
    expect(parseVersioned(await store.get(key))).toEqual({ version: 2, value: "v2:with:colons" });

    expect(await store.setIfNewer(key, 1, "v1", 60)).toBe(false);
    expect(parseVersioned(await store.get(key))).toEqual({ version: 2, value: "v2:with:colons" });

    expect(await store.setIfNewer(key, 2, "v2 again", 60)).toBe(true); // equal version is not older
    expect(await store.setIfNewer(key, 3, '{"a":"é漢🛒","t":"12:30"}', 60)).toBe(true);
    expect(parseVersioned(await store.get(key))).toEqual({ version: 3, value: '{"a":"é漢🛒","t":"12:30"}' });
    if (inRedis) expect(await raw.ttl(key)).toBeGreaterThan(50);

    // Millisecond timestamps as versions still compare exactly.
    const big = `${p}ver:big`;
    expect(await store.setIfNewer(big, 1_700_000_000_001, "newer", 60)).toBe(true);
    expect(await store.setIfNewer(big, 1_700_000_000_000, "older", 60)).toBe(false);
    expect(parseVersioned(await store.get(big))).toEqual({ version: 1_700_000_000_001, value: "newer" });

    // An unversioned leftover does not block a versioned write.
    await store.set(`${p}ver:plain`, "not versioned", 60);
    expect(await store.setIfNewer(`${p}ver:plain`, 1, "v1", 60)).toBe(true);
    expect(parseVersioned(await store.get(`${p}ver:plain`))).toEqual({ version: 1, value: "v1" });
  });

  it("delete removes a key and is a no-op for a missing one", async () => {
    const key = `${p}del`;
    await store.set(key, "x", 60);
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    if (inRedis) expect(await raw.exists(key)).toBe(0);
    await expect(store.delete(`${p}del:missing`)).resolves.toBeUndefined();
  });

  it("incrementWithExpiry counts up and sets the TTL only on creation", async () => {
    const key = `${p}count`;
    expect(await store.incrementWithExpiry(key, 1, 100)).toBe(1);
    expect(await store.incrementWithExpiry(key, 2, 5)).toBe(3);
    expect(await store.incrementWithExpiry(key, 5, 5)).toBe(8);
    expect(await store.get(key)).toBe("8");
    if (inRedis) expect(await raw.ttl(key)).toBeGreaterThan(90); // still the first window, not 5 s
    const counts = await Promise.all(Array.from({ length: 10 }, () => store.incrementWithExpiry(`${p}count:par`, 1, 60)));
    expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("hitWithBackoff allows the limit per window, then locks for a time that doubles up to its cap", async () => {
    const key = `${p}backoff`;
    const policy = { limit: 3, windowMs: 60_000, lockMs: 1_000, maxLockMs: 3_000 };
    const t0 = 1_900_000_000_000;
    const hits = async (n: number, at: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i += 1) out.push(await store.hitWithBackoff(key, at, policy));
      return out;
    };
    expect(await hits(3, t0)).toEqual([0, 0, 0]);
    // The fourth attempt locks for lockMs; while locked, attempts are refused and not counted.
    expect(await store.hitWithBackoff(key, t0, policy)).toBe(1_000);
    expect(await store.hitWithBackoff(key, t0 + 400, policy)).toBe(600);
    // After the lock: a fresh count, and the next lock is twice as long, then capped.
    expect(await hits(3, t0 + 1_000)).toEqual([0, 0, 0]);
    expect(await store.hitWithBackoff(key, t0 + 1_000, policy)).toBe(2_000);
    expect(await hits(3, t0 + 3_000)).toEqual([0, 0, 0]);
    expect(await store.hitWithBackoff(key, t0 + 3_000, policy)).toBe(3_000);
    // A window that passed without reaching the limit starts the count again.
    const other = `${p}backoff:window`;
    expect(await store.hitWithBackoff(other, t0, policy)).toBe(0);
    expect(await store.hitWithBackoff(other, t0, policy)).toBe(0);
    expect(await store.hitWithBackoff(other, t0, policy)).toBe(0);
    expect(await store.hitWithBackoff(other, t0 + 60_000, policy)).toBe(0);
    expect(await store.hitWithBackoff(other, t0 + 60_000, policy)).toBe(0);
    expect(await store.hitWithBackoff(other, t0 + 60_000, policy)).toBe(0);
    expect(await store.hitWithBackoff(other, t0 + 60_000, policy)).toBeGreaterThan(0);
    // Concurrent attempts are counted atomically: exactly `limit` get through.
    const burst = `${p}backoff:burst`;
    const results = await Promise.all(Array.from({ length: 20 }, () => store.hitWithBackoff(burst, t0, policy)));
    expect(results.filter((r) => r === 0)).toHaveLength(3);
    if (inRedis) expect(await raw.pTTL(key)).toBeGreaterThan(0);
  });

  it("works behind ResilientStore, which prefixes every key", async () => {
    const wrapped = new ResilientStore(store, `${p}wrapped:`, 1000);
    expect(wrapped.kind).toBe(name);
    expect(wrapped.key("x")).toBe(`${p}wrapped:x`);
    await wrapped.markers.set("x", "1", 60);
    expect(await wrapped.markers.get("x")).toBe("1");
    expect(await store.get(`${p}wrapped:x`)).toBe("1");
    expect(await store.get("x")).toBeNull();
    if (inRedis) expect(await raw.get(`${p}wrapped:x`)).toBe("1");
    expect(await wrapped.markers.setIfNewer("v", 4, "a:b", 60)).toBe(true);
    expect(parseVersioned(await store.get(`${p}wrapped:v`))).toEqual({ version: 4, value: "a:b" });
    expect(await wrapped.markers.incrementWithExpiry("n", 3, 60)).toBe(3);
    await wrapped.markers.delete("x");
    expect(await store.get(`${p}wrapped:x`)).toBeNull();
    expect(await wrapped.check()).toMatchObject({ ok: true });
  });
});

describe.each(backends.filter((b) => b.name !== "memory"))("$name store after SCRIPT FLUSH", ({ name, create }) => {
  let store: KeyValueStore;
  const p = `${prefix}flush:${name}:`;
  beforeAll(() => {
    store = create();
  });
  afterAll(async () => {
    await store.close();
  });

  it("falls back from EVALSHA to EVAL and keeps working", async () => {
    expect(await store.setIfNewer(`${p}ver`, 1, "a", 60)).toBe(true);
    expect(await store.incrementWithExpiry(`${p}n`, 1, 60)).toBe(1);
    expect(await raw.sendCommand(["SCRIPT", "FLUSH"])).toBe("OK");
    expect(await store.setIfNewer(`${p}ver`, 2, "b:c", 60)).toBe(true);
    expect(await store.setIfNewer(`${p}ver`, 1, "stale", 60)).toBe(false);
    expect(parseVersioned(await store.get(`${p}ver`))).toEqual({ version: 2, value: "b:c" });
    expect(await raw.sendCommand(["SCRIPT", "FLUSH"])).toBe("OK");
    expect(await store.incrementWithExpiry(`${p}n`, 1, 60)).toBe(2);
  });
});

describe("Upstash REST fixture", () => {
  const p = `${prefix}fixture:`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${fixture.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

  it("rejects a wrong or missing token", async () => {
    const wrong = new UpstashStore(fixture.url, "wrong-token", 1000);
    await expect(wrong.get(`${p}x`)).rejects.toThrow(/Unauthorized/);
    await expect(wrong.set(`${p}x`, "v", 60)).rejects.toThrow(/Unauthorized/);
    expect(await raw.exists(`${p}x`)).toBe(0);

    const missing = await fetch(`${fixture.url}/pipeline`, { method: "POST", body: JSON.stringify([["PING"]]) });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "Unauthorized" });
    const bad = await post("/", ["PING"], { authorization: `Bearer ${fixture.token}x` });
    expect(bad.status).toBe(401);
  });

  it("speaks the single-command, pipeline and multi-exec protocol", async () => {
    const set = await post("/", ["SET", `${p}k`, "é漢🛒", "EX", 60]);
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ result: "OK" });
    expect(await (await post("/", ["GET", `${p}k`])).json()).toEqual({ result: "é漢🛒" });
    expect(await (await post("/", ["GET", `${p}k`], { "upstash-encoding": "base64" })).json()).toEqual({ result: b64("é漢🛒") });

    const error = await post("/", ["EVALSHA", "0".repeat(40), 0]);
    expect(error.status).toBe(400);
    expect(((await error.json()) as { error: string }).error).toMatch(/^NOSCRIPT/);

    const pipeline = await post(
      "/pipeline",
      [["INCRBY", `${p}n`, 2], ["GET", `${p}missing`], ["PING"], ["EVALSHA", "0".repeat(40), 0], ["EVAL", "return {1, 'a', {'b'}}", 0]],
      { "upstash-encoding": "base64" },
    );
    expect(pipeline.status).toBe(200);
    const entries = (await pipeline.json()) as { result?: unknown; error?: string }[];
    expect(entries.slice(0, 3)).toEqual([{ result: 2 }, { result: null }, { result: b64("PONG") }]);
    expect(entries[3]?.error).toMatch(/^NOSCRIPT/);
    expect(entries[4]).toEqual({ result: [1, b64("a"), [b64("b")]] });

    const multi = await post("/multi-exec", [["SET", `${p}m`, "v"], ["INCR", `${p}m`], ["GET", `${p}m`]], { "upstash-encoding": "base64" });
    expect(multi.status).toBe(200);
    const replies = (await multi.json()) as { result?: unknown; error?: string }[];
    expect(replies[0]).toEqual({ result: "OK" });
    expect(replies[1]?.error).toMatch(/not an integer/);
    expect(replies[2]).toEqual({ result: b64("v") });

    const pathForm = await fetch(`${fixture.url}/get/${encodeURIComponent(`${p}k`)}`, { headers: { authorization: `Bearer ${fixture.token}` } });
    expect(await pathForm.json()).toEqual({ result: "é漢🛒" });
  });
});

describe("ResilientStore", () => {
  it("turns an unreachable Redis into StoreUnavailableErrors and opens the breaker", async () => {
    const resilient = new ResilientStore(new RedisStore({ url: "redis://127.0.0.1:1" }, 200), `${prefix}down:`, 200, 5_000);
    try {
      for (const call of [() => resilient.markers.get("x"), () => resilient.markers.set("x", "v", 60), () => resilient.markers.setIfNewer("x", 1, "v", 60)]) {
        await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
      }
      // Three failures in a row: the breaker skips the backend entirely.
      await expect(resilient.markers.incrementWithExpiry("n", 1, 60)).rejects.toThrow("store circuit open");

      // The health probe bypasses the breaker and reports the truth.
      const health = await resilient.check();
      expect(health.ok).toBe(false);
      expect(health.error).toBeTruthy();
    } finally {
      await resilient.close();
    }
  });

  it("turns an unreachable Upstash endpoint into StoreUnavailableErrors", async () => {
    const resilient = new ResilientStore(new UpstashStore("http://127.0.0.1:1", "token", 200), `${prefix}down:`, 200);
    await expect(resilient.markers.get("x")).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await resilient.check()).ok).toBe(false);
    await resilient.close();
  });

  it("takes a reply that came in while the event loop ran late, rather than its own expired timer", async () => {
    const resilient = new ResilientStore(new RedisStore({ url: redisUrl }, 500), `${prefix}late:`, 50);
    try {
      await connected(resilient);
      await resilient.markers.set("x", "in time", 60);
      const read = resilient.markers.get("x");
      // The command goes out (node-redis writes it before the next turn's check phase); then the
      // process is busy past the timeout while Redis answers.
      await new Promise((resolve) => setImmediate(resolve));
      const busyUntil = Date.now() + 200;
      while (Date.now() < busyUntil) {
        // a busy process: the loop cannot read the reply until this is done
      }
      await expect(read).resolves.toBe("in time");
    } finally {
      await resilient.close();
    }
  });

  it("deletes a cart-cache key whose write it could not confirm, without waiting for its own next call", async () => {
    // Redis of this test's own: pausing clients must not touch the shared one.
    const redis = await startRedisProcess();
    const writer = new ResilientStore(new RedisStore({ url: redis.url }, 500), "k:", 200, 1000);
    const reader = new ResilientStore(new RedisStore({ url: redis.url }, 500), "k:", 1000);
    // What the reader (another instance) is served; "no answer" while Redis does not answer it.
    const served = () => reader.cache.get("cart").catch(() => "no answer");
    try {
      await Promise.all([connected(writer), connected(reader)]);
      expect(await writer.cache.setIfNewer("cart", 1, "version 1", 60)).toBe(true);
      expect(await served()).toBe("1:version 1");
      // Redis stops answering long enough for three calls to time out (the circuit opens), then
      // the next version's write is skipped (or times out): Redis still holds version 1, which
      // the reader would be served until the entry's TTL.
      await redis.command(["CLIENT", "PAUSE", "2000", "ALL"]);
      for (let i = 0; i < 3; i += 1) await expect(writer.markers.get("other")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(writer.cache.setIfNewer("cart", 2, "version 2", 60)).rejects.toBeInstanceOf(StoreUnavailableError);
      // The writer makes no further call: once Redis answers again, its timer deletes the key.
      let seen: string | null = null;
      await eventually(async () => (seen = await served()) === null, 15_000);
      expect(seen).toBeNull();
    } finally {
      await Promise.all([writer.close(), reader.close()]);
      await redis.stop();
    }
  });

  it("prefixes keys on a working Redis", async () => {
    const keyPrefix = `${prefix}resilient:`;
    const resilient = new ResilientStore(new RedisStore({ url: redisUrl }, 500), keyPrefix, 500);
    try {
      await resilient.markers.set("x", "hello", 60);
      expect(await raw.get(`${keyPrefix}x`)).toBe("hello");
      expect(await resilient.markers.get("x")).toBe("hello");
      expect(await resilient.check()).toMatchObject({ ok: true });
    } finally {
      await resilient.close();
    }
  });
});
