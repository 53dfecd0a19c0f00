import { describe, expect, it } from "vitest";
import { authjsIdentity, ConfigError, createCart, memoryCatalog } from "@/lib/server";

const catalog = memoryCatalog([{ id: "sku-1", name: "One", price: 100, currency: "EUR", available: true }]);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("createCart", () => {
  it("throws one line per problem, never exits", () => {
    const problems = problemsOf(() =>
      createCart({ catalog, env: { NODE_ENV: "production", SESSION_SECRET: "short", CART_MAX_LINES: "zero", TRUST_PROXY: "many" } }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SESSION_SECRET\.0: each secret must be at least 32 characters/),
        expect.stringMatching(/^CART_MAX_LINES: /),
        expect.stringMatching(/^TRUST_PROXY: /),
      ]),
    );
  });

  it("refuses a missing catalog adapter and a bad currency", () => {
    const problems = problemsOf(() => createCart({ catalog: {} as never, currency: "euro", env: {} }));
    expect(problems).toEqual([expect.stringMatching(/^catalog: must be a catalog adapter/), expect.stringMatching(/^currency: must be an ISO 4217 code/)]);
  });

  it("requires the session secret in production, except while next build collects pages", () => {
    expect(problemsOf(() => createCart({ catalog, env: { NODE_ENV: "production" } }))).toEqual([
      expect.stringMatching(/^SESSION_SECRET: is required in production/),
    ]);
    expect(() => createCart({ catalog, env: { NODE_ENV: "production", NEXT_PHASE: "phase-production-build" } })).not.toThrow();
  });

  it("reads CART_-prefixed names first, then the plain ones, and explicit settings over both", () => {
    const cart = createCart({
      catalog,
      currency: "EUR",
      settings: { CART_MAX_QUANTITY: 7 },
      env: { CART_MAX_QUANTITY: "50", CART_LOG_LEVEL: "error", LOG_LEVEL: "debug", CART_MAX_LINES: "12" },
    });
    expect(cart.limits).toEqual({ maxLines: 12, maxQuantity: 7 });
    expect(cart.currency).toBe("EUR");
    expect(cart.settings.LOG_LEVEL).toBe("error");
    expect(Object.keys(cart.handlers).sort()).toEqual(["DELETE", "GET", "PATCH", "POST", "PUT"]);
  });

  it("the Auth.js integration requires AUTH_SECRET in production; a host on its own sign-in does not", () => {
    expect(() => createCart({ catalog, env: { NODE_ENV: "production", SESSION_SECRET: "s".repeat(32) } })).not.toThrow();
    expect(problemsOf(() => authjsIdentity(createCart({ catalog, env: { NODE_ENV: "production", SESSION_SECRET: "s".repeat(32) } })))).toEqual([expect.stringMatching(/^AUTH_SECRET: is required in production/)]);
  });
});
