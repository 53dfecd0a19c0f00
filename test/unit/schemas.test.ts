import { describe, expect, it } from "vitest";
import { addItemFormSchema, addItemSchema, noteFormSchema, productIdSchema, returnToSchema, setQuantitySchema } from "@/lib/cart/schemas";
import { MAX_NOTE_LENGTH } from "@/lib/cart/types";
import { parseEnv } from "@/lib/config/env";
import { parseStackEnv } from "@/deploy/stack-settings";

describe("addItemSchema", () => {
  it("accepts a product id with an optional positive integer quantity", () => {
    expect(addItemSchema.parse({ productId: "sku-tee-black-m" })).toEqual({ productId: "sku-tee-black-m", quantity: 1 });
    expect(addItemSchema.parse({ productId: "sku-tee-black-m", quantity: 3 })).toEqual({ productId: "sku-tee-black-m", quantity: 3 });
  });

  it.each([
    ["a string quantity", { productId: "x", quantity: "2" }],
    ["a fraction", { productId: "x", quantity: 1.5 }],
    ["zero", { productId: "x", quantity: 0 }],
    ["NaN", { productId: "x", quantity: Number.NaN }],
    ["Infinity", { productId: "x", quantity: Number.POSITIVE_INFINITY }],
    ["a huge number", { productId: "x", quantity: 2 ** 53 }],
    ["an unknown key", { productId: "x", coupon: "FREE" }],
    ["a __proto__ key", JSON.parse('{"productId":"x","__proto__":{"quantity":5}}')],
    ["a constructor key", { productId: "x", constructor: 1 }],
    ["no product", { quantity: 1 }],
  ])("rejects %s", (_label, input) => {
    expect(addItemSchema.safeParse(input).success).toBe(false);
  });
});

describe("productIdSchema", () => {
  it.each(["", "a".repeat(129), "nul\u0000byte", "lone\uD800surrogate", "../etc", " spaced", "emoji🛒"])("rejects %j", (id) => {
    expect(productIdSchema.safeParse(id).success).toBe(false);
  });
});

describe("setQuantitySchema", () => {
  it("accepts 0 (remove) and rejects negatives and strings", () => {
    expect(setQuantitySchema.parse({ quantity: 0 })).toEqual({ quantity: 0 });
    expect(setQuantitySchema.safeParse({ quantity: -1 }).success).toBe(false);
    expect(setQuantitySchema.safeParse({ quantity: "1" }).success).toBe(false);
  });
});

describe("form schemas", () => {
  it("parse digits strictly", () => {
    expect(addItemFormSchema.parse({ productId: "x", quantity: "2" })).toEqual({ productId: "x", quantity: 2 });
    for (const q of ["2.5", "1e3", "-1", " 2", "0x10", "0"]) expect(addItemFormSchema.safeParse({ productId: "x", quantity: q }).success).toBe(false);
  });

  it("count a note's line breaks as the field's maxlength did (a form post sends each as CRLF)", () => {
    // 250 lines: 499 characters in the field, 748 as posted.
    const typed = Array(250).fill("x").join("\n");
    expect(typed.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
    expect(noteFormSchema.parse({ note: typed.replace(/\n/g, "\r\n") })).toEqual({ note: typed });
    expect(noteFormSchema.safeParse({ note: "x".repeat(MAX_NOTE_LENGTH + 1) }).success).toBe(false);
  });

  it("only return to same-site paths", () => {
    expect(returnToSchema.parse("/products/tee")).toBe("/products/tee");
    for (const bad of ["//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)"]) expect(returnToSchema.parse(bad)).toBe("/cart");
  });
});

describe("parseEnv", () => {
  it("gives the documented defaults with no environment", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ GUEST_SESSION_IDLE_SECONDS: 1800, GUEST_CART_RECOVERY_DAYS: 7, USER_CART_RETENTION_DAYS: 30, CART_MAX_LINES: 100, CART_MAX_QUANTITY: 99, SESSION_SECRET: [] });
  });

  it("refuses production without a session secret, one message per problem", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET: is required in production/);
    try {
      parseEnv({ NODE_ENV: "production", USER_CART_RETENTION_DAYS: "7", REDIS_URL: "http://x", SESSION_SECRET: "short" });
    } catch (err) {
      const problems = (err as { problems: string[] }).problems;
      expect(problems.some((p) => p.startsWith("USER_CART_RETENTION_DAYS"))).toBe(true);
      expect(problems.some((p) => p.startsWith("REDIS_URL"))).toBe(true);
      expect(problems.some((p) => p.startsWith("SESSION_SECRET.0"))).toBe(true);
    }
    expect.assertions(4);
  });

  it("reads a secret list for rotation", () => {
    const a = "a".repeat(32);
    const b = "b".repeat(32);
    expect(parseEnv({ SESSION_SECRET: `${a}, ${b}` }).SESSION_SECRET).toEqual([a, b]);
  });
});

describe("parseStackEnv", () => {
  it("defaults the gateway's per-instance concurrency to 16 and refuses what is not a positive whole number", () => {
    expect(parseStackEnv({})).toEqual({ STACK_MAX_CONN: 8 });
    expect(parseStackEnv({ STACK_MAX_CONN: "4" })).toEqual({ STACK_MAX_CONN: 4 });
    for (const bad of ["0", "-1", "2.5", "many"]) expect(() => parseStackEnv({ STACK_MAX_CONN: bad })).toThrow(/STACK_MAX_CONN/);
  });
});
