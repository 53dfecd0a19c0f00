import { describe, expect, it, vi } from "vitest";
import { MemoryStore } from "@/lib/storage/memory-store";

describe("in-process store eviction", () => {
  it("evicts the least recently used entry, not the oldest write", async () => {
    const kv = new MemoryStore(3);
    await kv.set("p:sess:a", "a", 60);
    await kv.set("p:sess:b", "b", 60);
    await kv.set("p:sess:c", "c", 60);
    expect(await kv.get("p:sess:a")).toBe("a"); // a is now the most recently used
    await kv.set("p:sess:d", "d", 60);
    expect(await kv.get("p:sess:b")).toBeNull();
    expect(await kv.get("p:sess:a")).toBe("a");
    expect(await kv.get("p:sess:d")).toBe("d");
  });

  it("keeps markers and limits apart: a flood of sessions and cache entries evicts none of them", async () => {
    const kv = new MemoryStore(10);
    await kv.incrementWithExpiry("p:rl:a:127.0.0.1:1", 1, 60);
    await kv.setIfAbsent("p:idem:scope:key", "1", 60);
    for (let i = 0; i < 100; i += 1) {
      await kv.set(`p:sess:visitor${i}`, "{}", 60);
      await kv.setIfNewer(`p:cart:${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`, 1, "{}", 60);
    }
    expect(await kv.incrementWithExpiry("p:rl:a:127.0.0.1:1", 1, 60)).toBe(2);
    expect(await kv.setIfAbsent("p:idem:scope:key", "1", 60)).toBe(false);
    expect(await kv.get("p:sess:visitor99")).toBe("{}");
    expect(await kv.get("p:sess:visitor0")).toBeNull();
  });
});

describe("in-process store sweep", () => {
  it("drops only entries already past their expiry, in every pool, and a dry run only counts them", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const kv = new MemoryStore();
      await kv.set("p:sess:short", "s", 1);
      await kv.set("p:sess:long", "l", 60);
      await kv.setIfNewer("p:cart:00000000-0000-4000-8000-000000000000", 1, "{}", 1);
      await kv.incrementWithExpiry("p:rl:w:1", 1, 1);
      vi.advanceTimersByTime(2_000);
      expect(kv.sweep({ dryRun: true })).toBe(3);
      expect(kv.sweep()).toBe(3);
      expect(kv.sweep()).toBe(0);
      expect(await kv.get("p:sess:long")).toBe("l");
    } finally {
      vi.useRealTimers();
    }
  });
});
