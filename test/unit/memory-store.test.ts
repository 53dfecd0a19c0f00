import { describe, expect, it, vi } from "vitest";
import { cartCacheKey } from "@/lib/cart/cache";
import { MemoryStore } from "@/lib/storage/memory-store";

describe("in-process store eviction", () => {
  it("evicts the least recently used entry, not the oldest write", async () => {
    const kv = new MemoryStore(3);
    await kv.set("p:sess:a", "a", 60, "sessions");
    await kv.set("p:sess:b", "b", 60, "sessions");
    await kv.set("p:sess:c", "c", 60, "sessions");
    expect(await kv.get("p:sess:a", "sessions")).toBe("a"); // a is now the most recently used
    await kv.set("p:sess:d", "d", 60, "sessions");
    expect(await kv.get("p:sess:b", "sessions")).toBeNull();
    expect(await kv.get("p:sess:a", "sessions")).toBe("a");
    expect(await kv.get("p:sess:d", "sessions")).toBe("d");
  });

  it("keeps each caller's area apart: a flood of sessions and cached carts evicts no marker", async () => {
    const kv = new MemoryStore(10);
    await kv.incrementWithExpiry("p:rl:a:127.0.0.1:1", 1, 60, "markers");
    await kv.setIfAbsent("p:idem:scope:key", "1", 60, "markers");
    for (let i = 0; i < 100; i += 1) {
      await kv.set(`p:sess:visitor${i}`, "{}", 60, "sessions");
      // The cart cache's real key (a rename once sent cached carts into the markers' pool).
      await kv.setIfNewer(`p:${cartCacheKey(`${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`)}`, 1, "[]", 60, "cache");
    }
    expect(await kv.incrementWithExpiry("p:rl:a:127.0.0.1:1", 1, 60, "markers")).toBe(2);
    expect(await kv.setIfAbsent("p:idem:scope:key", "1", 60, "markers")).toBe(false);
    expect(await kv.get("p:sess:visitor99", "sessions")).toBe("{}");
    expect(await kv.get("p:sess:visitor0", "sessions")).toBeNull();
  });

  it("looks a key up in the area it was written to, whatever its name says", async () => {
    const kv = new MemoryStore(10);
    await kv.set("p:sess:x", "session", 60, "sessions");
    expect(await kv.get("p:sess:x", "cache")).toBeNull();
    expect(await kv.get("p:sess:x", "sessions")).toBe("session");
  });
});

describe("in-process store sweep", () => {
  it("drops only entries already past their expiry, in every pool, and a dry run only counts them", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const kv = new MemoryStore();
      await kv.set("p:sess:short", "s", 1, "sessions");
      await kv.set("p:sess:long", "l", 60, "sessions");
      await kv.setIfNewer(`p:${cartCacheKey("00000000-0000-4000-8000-000000000000")}`, 1, "[]", 1, "cache");
      await kv.incrementWithExpiry("p:rl:w:1", 1, 1, "markers");
      vi.advanceTimersByTime(2_000);
      expect(kv.sweep({ dryRun: true })).toBe(3);
      expect(kv.sweep()).toBe(3);
      expect(kv.sweep()).toBe(0);
      expect(await kv.get("p:sess:long", "sessions")).toBe("l");
    } finally {
      vi.useRealTimers();
    }
  });
});
