import { describe, expect, it } from "vitest";
import { epochOf, isoTime } from "@/lib/time";

describe("isoTime", () => {
  it("writes what Date#toISOString writes, across leap years, month ends and centuries", () => {
    const fixed = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, 1_796_630_764_465, 253_402_300_799_999, -1, -86_400_001];
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const sampled = Array.from({ length: 20_000 }, () => Math.floor(random() * 253_402_300_799_999));
    for (const ms of [...fixed, ...sampled]) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it("reads back what it writes, and leaves any other form to Date.parse", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i += 1) {
      const ms = Math.floor(random() * 253_402_300_799_999);
      expect(epochOf(isoTime(ms))).toBe(ms);
    }
    for (const text of ["2026-12-07T08:06:03+00:00", "2026-12-07", "2026-02-30T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "not a time"]) {
      expect(Object.is(epochOf(text), Date.parse(text)), text).toBe(true);
    }
  });
});
