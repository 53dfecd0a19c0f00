import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv, SETTING_NAMES, TUNING_NAMES, type Env } from "@/lib/config/env";

// The settings a host sets through the environment: few (at most 40: v1.2 added live carts, webhooks, the public origin, admins by id and the checkout secret), each documented in the
// README with a line of its own, each read (plain and with the CART_ prefix) and checked. The
// tuning options (set in code, createCart's `tuning`) are documented in docs/module.md.
const ROOT = path.resolve(import.meta.dirname, "../..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const moduleDoc = readFileSync(path.join(ROOT, "docs/module.md"), "utf8");

// A valid value other than the default for every setting, and what the settings then hold.
const SAMPLES: Record<string, [value: string, read: unknown]> = {
  NODE_ENV: ["test", "test"],
  DATABASE_URL: ["postgres://u@db.example:5432/shop", "postgres://u@db.example:5432/shop"],
  DATA_DIR: ["/var/lib/shop", "/var/lib/shop"],
  REDIS_URL: ["rediss://cache.example:6380", "rediss://cache.example:6380"],
  REDIS_CLUSTER_NODES: ["10.0.0.1:7000, 10.0.0.2:7000", ["10.0.0.1:7000", "10.0.0.2:7000"]],
  UPSTASH_REDIS_REST_URL: ["https://eu1.upstash.example", "https://eu1.upstash.example"],
  UPSTASH_REDIS_REST_TOKEN: ["token", "token"],
  STORE_KEY_PREFIX: ["eu:", "eu:"],
  SESSION_SECRET: ["a".repeat(32), ["a".repeat(32)]],
  SESSION_COOKIE_SECURE: ["true", "true"],
  SESSION_COOKIE_NAME: ["eu_cart", "eu_cart"],
  GUEST_SESSION_IDLE_SECONDS: ["900", 900],
  GUEST_CART_RECOVERY_DAYS: ["14", 14],
  USER_CART_RETENTION_DAYS: ["60", 60],
  USER_SESSION_DAYS: ["7", 7],
  RECOVERY_LINK_HOURS: ["24", 24],
  AUTH_SECRET: ["b".repeat(32), ["b".repeat(32)]],
  AUTH_GITHUB_ID: ["id", "id"],
  AUTH_GITHUB_SECRET: ["secret", "secret"],
  CART_MAX_LINES: ["50", 50],
  CART_MAX_QUANTITY: ["10", 10],
  CART_CURRENCY: ["EUR", "EUR"],
  DATABASE_POOL_SIZE: ["4", 4],
  DATABASE_POOLER: ["pgbouncer", "pgbouncer"],
  ADMISSION_MAX_IN_FLIGHT: ["32", 32],
  LIVE_MAX_STREAMS: ["100", 100],
  ALLOWED_ORIGINS: ["https://a.example,https://b.example", ["https://a.example", "https://b.example"]],
  PUBLIC_ORIGIN: ["https://shop.example/", "https://shop.example"],
  RATE_LIMIT_DISABLED: ["1", true],
  TRUST_PROXY: ["2", 2],
  METRICS_TOKEN: ["0123456789abcdef", "0123456789abcdef"],
  ADMIN_USER_IDS: ["3f0c9a4e-0000-4000-8000-000000000001", ["3f0c9a4e-0000-4000-8000-000000000001"]],
  ADMIN_EMAILS: ["Ops@Example.com", ["ops@example.com"]],
  CLEANUP_SCHEDULE: ["1", true],
  CRON_SECRET: ["0123456789abcdef", "0123456789abcdef"],
  CHECKOUT_SECRET: ["fedcba9876543210", "fedcba9876543210"],
  LOG_LEVEL: ["debug", "debug"],
  WEBHOOK_URLS: ["https://hooks.example/cart, http://10.0.0.5/in", ["https://hooks.example/cart", "http://10.0.0.5/in"]],
  WEBHOOK_SECRET: [`whsec_${"A".repeat(32)}`, `whsec_${"A".repeat(32)}`],
};

// Set together so the settings' own cross-checks hold (one store, pairs set as pairs).
const APART = new Set(["REDIS_URL", "REDIS_CLUSTER_NODES", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET", "WEBHOOK_URLS"]);
const PAIRS: Record<string, string> = {
  UPSTASH_REDIS_REST_URL: "UPSTASH_REDIS_REST_TOKEN",
  UPSTASH_REDIS_REST_TOKEN: "UPSTASH_REDIS_REST_URL",
  AUTH_GITHUB_ID: "AUTH_GITHUB_SECRET",
  AUTH_GITHUB_SECRET: "AUTH_GITHUB_ID",
  WEBHOOK_URLS: "WEBHOOK_SECRET",
};

describe("settings", () => {
  it("are at most 40, and every one has a sample here", () => {
    expect(SETTING_NAMES.length).toBeLessThanOrEqual(40);
    expect([...SETTING_NAMES].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  for (const name of SETTING_NAMES) {
    it(`${name}: documented in the README, read plain and with the CART_ prefix`, () => {
      expect(readme, `README.md names ${name}`).toMatch(new RegExp(`\\|\\s*\`(CART_)?${name}\``));
      const [value, read] = SAMPLES[name]!;
      const with_ = (n: string, v: string) => {
        const source: Record<string, string> = { [n]: v };
        const pair = PAIRS[name];
        if (pair && APART.has(name)) source[pair] = SAMPLES[pair]![0];
        return source;
      };
      expect(parseEnv(with_(name, value))[name as keyof Env]).toEqual(read);
      if (!name.startsWith("CART_") && name !== "NODE_ENV") expect(parseEnv(with_(`CART_${name}`, value))[name as keyof Env]).toEqual(read);
    });
  }

  it("WEBHOOK_URLS needs WEBHOOK_SECRET, a whsec_ secret; retry delays are whole seconds", () => {
    expect(() => parseEnv({ WEBHOOK_URLS: "https://hooks.example/cart" })).toThrow(/WEBHOOK_SECRET: is required with WEBHOOK_URLS/);
    expect(() => parseEnv({ WEBHOOK_SECRET: "not-a-secret" })).toThrow(/WEBHOOK_SECRET/);
    expect(() => parseEnv({ WEBHOOK_URLS: "ftp://hooks.example", WEBHOOK_SECRET: `whsec_${"A".repeat(32)}` })).toThrow(/WEBHOOK_URLS/);
    expect(parseEnv({}, { WEBHOOK_RETRY_SECONDS: "1, 2,3" }).WEBHOOK_RETRY_SECONDS).toEqual([1, 2, 3]);
    expect(parseEnv({}).WEBHOOK_RETRY_SECONDS).toEqual([5, 30, 300, 1800, 3600]);
    expect(() => parseEnv({}, { WEBHOOK_RETRY_SECONDS: "5,soon" })).toThrow(/WEBHOOK_RETRY_SECONDS/);
  });

  it("tuning options are documented in docs/module.md and never read from the environment", () => {
    for (const name of TUNING_NAMES) {
      expect(moduleDoc, `docs/module.md names ${name}`).toContain(`\`${name}\``);
      expect(SETTING_NAMES).not.toContain(name);
    }
  });
});
