import { describe, expect, it } from "vitest";
import { isoTime } from "@/lib/time";

describe("isoTime", () => {
  it("writes what Date#toISOString writes, across leap years, month ends and centuries", () => {
    const fixed = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, 1_796_630_764_465, 253_402_300_799_999, -1, -86_400_001];
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const sampled = Array.from({ length: 20_000 }, () => Math.floor(random() * 253_402_300_799_999));
    for (const ms of [...fixed, ...sampled]) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});
