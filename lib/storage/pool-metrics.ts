import type { Sql } from "postgres";
import { setProbe } from "../observe/metrics";

// postgres.js does not expose its pool's state, so the pool's use is counted
// where Drizzle reaches it: statements sent outside a transaction (each
// holds a connection until answered) and open transactions (each holds one
// until it ends). Their sum against DATABASE_POOL_SIZE is the pool's use. Each failure is
// passed to `failed` (lib/storage/primary-pool.ts) from the same callbacks, at no cost to a
// statement that succeeds.
export function countPoolUse(client: Sql, max: number, failed: (err: unknown) => void = () => {}): Sql {
  let queries = 0;
  let transactions = 0;
  setProbe("db_pool_max", () => max);
  setProbe("db_queries_in_flight", () => queries);
  setProbe("db_transactions_in_flight", () => transactions);
  const settle = () => {
    queries -= 1;
  };
  const settleFailed = (err: unknown) => {
    queries -= 1;
    failed(err);
  };
  const unsafe = (...args: Parameters<Sql["unsafe"]>) => {
    const query = client.unsafe(...args);
    const then = query.then;
    let counted = false;
    // A postgres.js query runs when first awaited (then), so it is counted from there until it settles.
    query.then = function (this: typeof query, ...handlers: Parameters<typeof then>) {
      if (!counted) {
        counted = true;
        queries += 1;
        then.call(this, settle, settleFailed);
      }
      return then.apply(this, handlers);
    } as typeof then;
    return query;
  };
  const begin = async (...args: unknown[]) => {
    transactions += 1;
    try {
      return await (client.begin as (...a: unknown[]) => Promise<unknown>)(...args);
    } catch (err) {
      failed(err);
      throw err;
    } finally {
      transactions -= 1;
    }
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "unsafe") return unsafe;
      if (prop === "begin") return begin;
      return Reflect.get(target, prop, target);
    },
  });
}
