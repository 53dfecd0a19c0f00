import { describe, expect, it } from "vitest";
import { postgresTarget } from "@/lib/storage/pooler";

describe("postgresTarget", () => {
  it("detects PgBouncer by ?pgbouncer=true or port 6432 on auto, and drops the marker from the URL", () => {
    expect(postgresTarget("postgres://u@db:6432/cart", "auto")).toEqual({ url: "postgres://u@db:6432/cart", pgbouncer: true });
    expect(postgresTarget("postgres://u@db:5432/cart?pgbouncer=true&sslmode=require", "auto")).toEqual({
      url: "postgres://u@db:5432/cart?sslmode=require",
      pgbouncer: true,
    });
    expect(postgresTarget("postgres://u@db:5432/cart", "auto")).toEqual({ url: "postgres://u@db:5432/cart", pgbouncer: false });
    expect(postgresTarget("postgres://u@db/cart?pgbouncer=false", "auto")).toEqual({ url: "postgres://u@db/cart", pgbouncer: false });
  });

  it("lets the setting win over the URL", () => {
    expect(postgresTarget("postgres://u@db:5432/cart", "pgbouncer").pgbouncer).toBe(true);
    expect(postgresTarget("postgres://u@db:6432/cart?pgbouncer=true", "none")).toEqual({ url: "postgres://u@db:6432/cart", pgbouncer: false });
  });
});
