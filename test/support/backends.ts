import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase } from "./databases";
import { redisUrl, uniquePrefix } from "./services";
import { APP_TIMEOUTS_QUERY, startPgbouncer } from "./pgbouncer";
import { startRedisCluster } from "./redis-cluster";
import { startUpstashRestServer } from "./upstash-rest-server";

/**
 * The backend combinations the suites run against, each with its own fresh
 * database (or PGlite directory) and key prefix: environment for the app,
 * and a cleanup that removes everything afterwards.
 */
export type BackendKind = "postgres+redis" | "postgres+pgbouncer+redis" | "postgres+redis-cluster" | "postgres+upstash" | "pglite+memory";

export interface Backend {
  kind: BackendKind;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function prepareBackend(kind: BackendKind, purpose: string): Promise<Backend> {
  const prefix = uniquePrefix(purpose);
  if (kind === "pglite+memory") {
    const dir = await mkdtemp(path.join(tmpdir(), `cart-${purpose}-`));
    return { kind, env: { DATA_DIR: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const database = await createTestDatabase(purpose);
  if (kind === "postgres+redis") {
    return { kind, env: { DATABASE_URL: database.url, REDIS_URL: redisUrl, STORE_KEY_PREFIX: prefix }, cleanup: database.drop };
  }
  if (kind === "postgres+pgbouncer+redis") {
    // PgBouncer in transaction mode, with fewer server connections than the app's pool,
    // and the app's timeouts set PgBouncer-side as docs/operations.md says.
    const pgbouncer = await startPgbouncer({ database: database.name, connectQuery: APP_TIMEOUTS_QUERY });
    return {
      kind,
      env: { DATABASE_URL: pgbouncer.url, DATABASE_POOLER: "pgbouncer", REDIS_URL: redisUrl, STORE_KEY_PREFIX: prefix },
      async cleanup() {
        await pgbouncer.stop();
        await database.drop();
      },
    };
  }
  if (kind === "postgres+redis-cluster") {
    const cluster = await startRedisCluster();
    return {
      kind,
      env: { DATABASE_URL: database.url, REDIS_CLUSTER_NODES: cluster.nodes.join(","), STORE_KEY_PREFIX: prefix },
      async cleanup() {
        await cluster.stop();
        await database.drop();
      },
    };
  }
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const rest = await startUpstashRestServer({ redisUrl, token });
  return {
    kind,
    env: { DATABASE_URL: database.url, UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: token, STORE_KEY_PREFIX: prefix },
    async cleanup() {
      await rest.close();
      await database.drop();
    },
  };
}
