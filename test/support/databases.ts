import postgres from "postgres";
import { adminDatabaseUrl } from "./services";

/** A fresh Postgres database for one suite; dropped by `drop()`. */
export async function createTestDatabase(purpose: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `cart_test_${purpose}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-z0-9_]/g, "_");
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const dropper = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
