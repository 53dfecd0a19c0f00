import { readMigrationFiles } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import { migrations } from "@/db/migrations";

describe("embedded migrations", () => {
  it("are exactly drizzle-kit's files (run npm run db:generate after changing db/schema.ts)", () => {
    const files = readMigrationFiles({ migrationsFolder: "db/migrations" }).map(({ sql, folderMillis, hash }) => ({ sql, folderMillis, hash }));
    expect(migrations).toEqual(files);
  });

  it("create only tables under the module's prefix", () => {
    const created = migrations.flatMap((m) => m.sql).flatMap((s) => [...s.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"([^"]+)"/g)].map((x) => x[1]));
    expect(created.length).toBeGreaterThan(5);
    expect(created.filter((name) => !name!.startsWith("cart_"))).toEqual([]);
  });
});
