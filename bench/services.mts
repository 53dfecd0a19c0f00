// What every bench run sets up and takes down around the app: a fresh Postgres database, a fresh
// Redis key prefix, and the catalog the app serves.
import { randomBytes } from "node:crypto";
import { createClient } from "redis";
import { z } from "zod";
import { Client, keepAliveAgent } from "./http.mjs";

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

// A new database on adminUrl's server, dropped (whoever is still connected) by drop().
export async function freshDatabase(adminUrl: string): Promise<FreshDatabase> {
  const { default: postgres } = await import("postgres");
  const name = `cart_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

// A Redis key prefix no other run uses.
export function freshPrefix(): string {
  return `bench:${Date.now().toString(36)}:${randomBytes(3).toString("hex")}:`;
}

export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length) await redis.unlink(keys);
  } finally {
    await redis.close();
  }
}

// The ids of the products still sold (adding one no longer sold answers 422).
export async function productIds(url: string): Promise<string[]> {
  const base = new URL(url);
  const agent = keepAliveAgent(base);
  const answer = await new Client(base, agent).request("GET", "/api/products");
  agent.destroy();
  let body: unknown = null;
  try {
    body = JSON.parse(answer.body);
  } catch {
    // Not JSON: reported below with the answer's start.
  }
  const parsed = z.object({ products: z.array(z.object({ id: z.string(), active: z.boolean() })) }).safeParse(body);
  const ids = parsed.success ? parsed.data.products.filter((p) => p.active).map((p) => p.id) : [];
  if (ids.length === 0) throw new Error(`GET /api/products gave no products: ${answer.status} ${answer.body.slice(0, 200)}`);
  return ids;
}
