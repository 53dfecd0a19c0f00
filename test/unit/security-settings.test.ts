import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv, productionWarnings } from "@/lib/config/env";
import { isCommonPassword } from "@/lib/identity/common-passwords";
import { pickVerifiedEmail } from "@/lib/identity/provider-emails";
import { securityHeaders } from "@/lib/next-config";

const production = { NODE_ENV: "production", SESSION_SECRET: "s".repeat(32) };

describe("production settings", () => {
  it("refuses SESSION_COOKIE_SECURE=false in production (and allows it elsewhere)", () => {
    expect(() => parseEnv({ ...production, SESSION_COOKIE_SECURE: "false" })).toThrow(ConfigError);
    expect(() => parseEnv({ ...production, SESSION_COOKIE_SECURE: "false" })).toThrow(/SESSION_COOKIE_SECURE: must not be false in production/);
    expect(parseEnv({ SESSION_COOKIE_SECURE: "false" }).SESSION_COOKIE_SECURE).toBe("false");
  });

  it("warns about no TRUST_PROXY, plaintext Redis and Postgres without TLS to other hosts; not about local ones", () => {
    const warnings = productionWarnings(
      parseEnv({ ...production, REDIS_URL: "redis://cache.internal:6379", DATABASE_URL: "postgres://app:pw@db.internal:5432/shop" }),
    );
    expect(warnings).toHaveLength(3);
    expect(warnings.join("\n")).toMatch(/TRUST_PROXY is not set/);
    expect(warnings.join("\n")).toMatch(/REDIS_URL is plaintext redis:\/\//);
    expect(warnings.join("\n")).toMatch(/DATABASE_URL reaches another host without TLS/);
    // A failover formation's URL: any remote host counts.
    expect(productionWarnings(parseEnv({ ...production, TRUST_PROXY: "1", DATABASE_URL: "postgres://app@127.0.0.1:5432,db2.internal:5432/shop" }))).toHaveLength(1);
    const safe = parseEnv({
      ...production,
      TRUST_PROXY: "1",
      REDIS_URL: "rediss://cache.internal:6380",
      DATABASE_URL: "postgres://app:pw@db.internal:5432/shop?sslmode=verify-full",
    });
    expect(productionWarnings(safe)).toEqual([]);
    const local = parseEnv({ ...production, TRUST_PROXY: "1", REDIS_URL: "redis://127.0.0.1:6379", DATABASE_URL: "postgres://postgres@localhost:5432/shop" });
    expect(productionWarnings(local)).toEqual([]);
    expect(productionWarnings(parseEnv({ REDIS_URL: "redis://cache.internal:6379" }))).toEqual([]);
  });

  it("warns about a Redis Cluster on other hosts (its nodes are always plaintext), by the same rule as redis://", () => {
    const remote = productionWarnings(parseEnv({ ...production, TRUST_PROXY: "1", REDIS_CLUSTER_NODES: "127.0.0.1:7000,cache-2.internal:7001" }));
    expect(remote).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES is always plaintext to another host: sessions and carts cross the network unencrypted/)]);
    // Nodes on this machine cross no network; outside production nothing warns.
    expect(productionWarnings(parseEnv({ ...production, TRUST_PROXY: "1", REDIS_CLUSTER_NODES: "127.0.0.1:7000,localhost:7001" }))).toEqual([]);
    expect(productionWarnings(parseEnv({ REDIS_CLUSTER_NODES: "cache-2.internal:7001" }))).toEqual([]);
  });

  it("reads PUBLIC_ORIGIN as an origin only", () => {
    expect(parseEnv({ PUBLIC_ORIGIN: "https://shop.example/" }).PUBLIC_ORIGIN).toBe("https://shop.example");
    expect(() => parseEnv({ PUBLIC_ORIGIN: "https://shop.example/cart" })).toThrow(/PUBLIC_ORIGIN/);
    expect(() => parseEnv({ PUBLIC_ORIGIN: "javascript:alert(1)" })).toThrow(/PUBLIC_ORIGIN/);
  });
});

describe("securityHeaders() for a host's next.config", () => {
  const headersOf = (production: boolean) => new Map(securityHeaders({ production }).flatMap((rule) => rule.headers.map((h) => [h.key, h.value] as const)));

  it("covers every path with nosniff, DENY framing, the referrer policy, a CSP without unsafe-eval and, in production, HSTS", async () => {
    // Both rules skip the module's routes (they send all of these, and a stricter CSP, themselves);
    // the pages' policy skips the exceptions too (a next.config header would replace their own).
    const { getPathMatch } = await import("next/dist/shared/lib/router/utils/path-match");
    const [commonRule, cspRule] = securityHeaders({ except: ["/docs/api"] }).map((rule) => getPathMatch(rule.source, { strict: true, removeUnnamedParams: true }));
    for (const path of ["/", "/cart", "/products/tee-black-m", "/apiary", "/docs"]) expect(cspRule!(path), path).toBeTruthy();
    for (const path of ["/", "/cart", "/apiary", "/docs", "/docs/api"]) expect(commonRule!(path), path).toBeTruthy();
    for (const path of ["/api", "/api/cart", "/docs/api"]) expect(cspRule!(path), path).toBe(false);
    for (const path of ["/api", "/api/cart", "/api/auth/session"]) expect(commonRule!(path), path).toBe(false);
    // A cart at another base path says so.
    const eu = getPathMatch(securityHeaders({ moduleRoutes: ["/eu/api"] })[0]!.source, { strict: true, removeUnnamedParams: true });
    expect(eu("/eu/api/cart")).toBe(false);
    expect(eu("/api/cart")).toBeTruthy();
    const prod = headersOf(true);
    expect(prod.get("X-Content-Type-Options")).toBe("nosniff");
    expect(prod.get("X-Frame-Options")).toBe("DENY");
    expect(prod.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(prod.get("Strict-Transport-Security")).toMatch(/^max-age=63072000; includeSubDomains$/);
    const csp = prod.get("Content-Security-Policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    // Development: React's dev build needs eval, hot reload a WebSocket; no HSTS on localhost.
    const dev = headersOf(false);
    expect(dev.get("Content-Security-Policy")).toContain("'unsafe-eval'");
    expect(dev.has("Strict-Transport-Security")).toBe(false);
  });
});

describe("sign-up and provider emails", () => {
  it("knows the most common passwords, whatever their case, and not a passphrase", async () => {
    for (const p of ["password", "12345678", "Password1", "iloveyou", "qwertyuiop", "football"]) expect(await isCommonPassword(p)).toBe(true);
    for (const p of ["correct horse battery", "a-long-password-nobody-uses-7f3a"]) expect(await isCommonPassword(p)).toBe(false);
  });

  it("takes only a verified address from GitHub's list, the primary first, lower-cased", () => {
    expect(
      pickVerifiedEmail(
        [
          { email: "Old@Example.com", verified: true },
          { email: "Main@Example.com", primary: true, verified: true },
        ],
        null,
      ),
    ).toBe("main@example.com");
    // An unverified primary is never taken; another verified address is.
    expect(pickVerifiedEmail([{ email: "admin@shop.example", primary: true, verified: false }, { email: "me@example.com", verified: true }], null)).toBe("me@example.com");
    expect(pickVerifiedEmail([{ email: "admin@shop.example", primary: true, verified: false }], "admin@shop.example")).toBeNull();
    expect(pickVerifiedEmail([], null)).toBeNull();
  });
});
