import type { Sql } from "postgres";
import { isReadOnlyNode } from "./database-errors";

// A Postgres pool that follows the writable primary.
//
// postgres.js keeps a connection for as long as it answers. One that reached a node which is no
// longer the primary (a failover behind one DNS name, a demoted node that kept running) answers
// every write with 25006 until its idle timeout, and a busy pool never idles. So on a read-only
// answer the pool is replaced: new connections look for the primary again (a multi-host URL's
// target_session_attrs=read-write, or the name's new address), and the old pool ends once the
// statements it holds are answered. Callers keep one client: it always reaches the current pool.

// A failover's burst of read-only answers replaces the pool once; a pool that lands on a
// read-only node again is replaced again after this.
const REPLACE_AT_MOST_EVERY_MS = 1_000;

export interface PrimaryPool {
  client: Sql;
  // Called with every failed statement's error: a read-only answer replaces the pool.
  failed(err: unknown): void;
  end(options?: { timeout?: number }): Promise<void>;
}

export function primaryPool(open: () => Sql, onReplaced: () => void): PrimaryPool {
  const first = open();
  let current = first;
  let replacedAt = -Infinity;
  const client = new Proxy(first, {
    get: (_target, prop) => Reflect.get(current, prop, current),
    apply: (_target, thisArg, args) => Reflect.apply(current, thisArg, args),
  });
  return {
    client,
    failed(err) {
      if (!isReadOnlyNode(err) || performance.now() - replacedAt < REPLACE_AT_MOST_EVERY_MS) return;
      replacedAt = performance.now();
      const stale = current;
      current = open();
      // Drizzle set its type parsers on the first client's options (drizzle-orm/postgres-js): the new one reads the same.
      Object.assign(current.options.parsers, first.options.parsers);
      Object.assign(current.options.serializers, first.options.serializers);
      void stale.end({ timeout: 5 }).catch(() => {});
      onReplaced();
    },
    end: (options) => current.end(options),
  };
}
