/**
 * Where the real services are. CI exports DATABASE_URL and REDIS_URL; on a
 * developer machine the local defaults apply. Tests never use these databases
 * directly: they create their own (see databases.ts) and their own key prefix.
 */
export const adminDatabaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix unique to this run and purpose, so runs never collide. */
export function uniquePrefix(purpose: string): string {
  return `test:${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}:${purpose}:`;
}

/** Deletes this run's keys matching a pattern from the real Redis (simulates the store forgetting). */
export async function deleteRedisKeys(pattern: string): Promise<number> {
  const { createClient } = await import("redis");
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  let deleted = 0;
  try {
    for await (const keys of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) {
      if (keys.length > 0) deleted += await redis.del(keys);
    }
  } finally {
    await redis.close();
  }
  return deleted;
}
