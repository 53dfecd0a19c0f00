import { describe, expect, it } from "vitest";
import { adminEmails, parseEnv } from "@/lib/config/env";
import { testInstance } from "../support/instance";
import { metricsAuthorized } from "@/lib/http/metrics";
import { routePattern } from "@/lib/http/observed";
import { quantile } from "@/lib/observe/history";
import { recordCartOperation, recordCleanupRun, recordRequest } from "@/lib/observe/metrics";
import { registry } from "@/lib/observe/registry";
import { parsePrometheusText, sampleValue } from "../support/prometheus";

describe("routePattern", () => {
  it("replaces matched params by their names, never keeping a client's value", () => {
    expect(routePattern("/api/cart", {})).toBe("/api/cart");
    expect(routePattern("/api/cart/items/sku-tee-black-m", { productId: "sku-tee-black-m" })).toBe("/api/cart/items/[productId]");
    expect(routePattern("/api/cart/items/a%20b", { productId: "a b" })).toBe("/api/cart/items/[productId]");
    expect(routePattern("/api/auth/callback/credentials", { nextauth: ["callback", "credentials"] })).toBe("/api/auth/[...nextauth]");
  });
});

describe("quantile (histogram_quantile)", () => {
  const bounds = [0.01, 0.1, 1];
  it("interpolates inside the bucket, answers null without observations and the last bound past it", () => {
    expect(quantile(0.5, [0, 0, 0, 0], bounds)).toBeNull();
    expect(quantile(0.5, [10, 10, 10, 10], bounds)).toBeCloseTo(0.005);
    expect(quantile(0.5, [0, 10, 10, 10], bounds)).toBeCloseTo(0.055);
    expect(quantile(0.99, [0, 0, 0, 5], bounds)).toBe(1);
  });
});

describe("metricsAuthorized", () => {
  it("is open without a token and needs exactly `Bearer <token>` with one", () => {
    expect(metricsAuthorized(null, undefined)).toBe(true);
    const token = "0123456789abcdef-token";
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`bearer ${token}`, token)).toBe(true);
    for (const header of [null, "", "Bearer", `Bearer ${token}x`, `Basic ${token}`, token, `Bearer ${token.slice(1)}`]) {
      expect(metricsAuthorized(header, token)).toBe(false);
    }
  });
});

describe("the registry", () => {
  it("is one per instance, and its exposition passes the strict parser", async () => {
    const usd = testInstance({}, { scope: "registry-usd" });
    const eur = testInstance({}, { scope: "registry-eur" });
    expect(usd.run(registry)).toBe(usd.run(registry));
    expect(usd.run(registry)).not.toBe(eur.run(registry));
    usd.run(() => {
      recordRequest("/api/cart", "GET", 200, 0.012);
      recordCartOperation("add", "changed");
      recordCleanupRun({ guest_carts: 3, recovery_links: 1 });
    });
    expect(parsePrometheusText(await eur.run(registry).metrics()).has("http_request_duration_seconds")).toBe(false);
    const families = parsePrometheusText(await usd.run(registry).metrics());
    expect(sampleValue(families, "http_request_duration_seconds_count", { route: "/api/cart", method: "GET", status: "200" })).toBe(1);
    expect(sampleValue(families, "http_request_duration_seconds_bucket", { route: "/api/cart", method: "GET", status: "200", le: "0.01" })).toBe(0);
    expect(sampleValue(families, "http_request_duration_seconds_bucket", { route: "/api/cart", method: "GET", status: "200", le: "0.025" })).toBe(1);
    expect(sampleValue(families, "cart_cleanup_rows_removed_total", { kind: "guest_carts" })).toBe(3);
    expect(sampleValue(families, "cart_cleanup_runs_total", { outcome: "ok" })).toBe(1);
  });
});

describe("the strict exposition parser", () => {
  const ok = "# HELP a_total x\n# TYPE a_total counter\na_total{k=\"v\"} 1\n";
  it("accepts well-formed text and rejects what Prometheus would", () => {
    expect(parsePrometheusText(ok).get("a_total")?.samples).toHaveLength(1);
    const bad = [
      "a_total 1", // no final newline
      "# TYPE a_total counter\na_total{k=\"v} 1\n", // unterminated label value
      "# TYPE a_total counter\na_total{k=\"v\"} one\n", // bad value
      "# TYPE a_total counter\na_total -1\n", // negative counter
      "# TYPE a_total counter\na_total 1\na_total 2\n", // duplicate series
      "# TYPE a_total counter\na_total 1\n# TYPE b gauge\nb 1\na_total{x=\"1\"} 1\n", // family split in two
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", // not cumulative
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", // +Inf ≠ count
      "# TYPE 1a counter\n", // bad name
    ];
    for (const text of bad) expect(() => parsePrometheusText(text), text).toThrow();
  });
});

describe("ADMIN_EMAILS and METRICS_TOKEN settings", () => {
  const production = { NODE_ENV: "production", SESSION_SECRET: "s".repeat(32), AUTH_SECRET: "a".repeat(32) } as const;
  it("defaults the demo's admin only where the demo accounts are seeded (never in production), lower-cases the list", () => {
    expect(adminEmails(parseEnv({}))).toEqual(["admin@example.com"]);
    expect(adminEmails(parseEnv({ DATABASE_URL: "postgres://x@127.0.0.1/db" }))).toEqual([]);
    expect(adminEmails(parseEnv({ DATABASE_URL: "postgres://x@127.0.0.1/db" }, { DEMO_ACCOUNTS: "1" }))).toEqual(["admin@example.com"]);
    expect(adminEmails(parseEnv({}, { DEMO_ACCOUNTS: "0" }))).toEqual([]);
    expect(adminEmails(parseEnv(production))).toEqual([]);
    expect(adminEmails(parseEnv({ ...production, ADMIN_EMAILS: " Ops@Example.com ,b@example.com" }))).toEqual(["ops@example.com", "b@example.com"]);
  });
  it("refuses a short metrics token", () => {
    expect(() => parseEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
    expect(parseEnv({}).METRICS_TOKEN).toBeUndefined();
  });
});
