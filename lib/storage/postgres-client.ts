import type { Sql } from "postgres";
import { isConnectionLost } from "./database-errors";

// What the module asks of postgres.js beyond its defaults, in one wrapper of the client Drizzle
// is given (lib/storage/database.ts):
//
// - Named statements. drizzle asks postgres.js for an unnamed statement unless a query is given a
//   name, so Postgres would parse and plan the same few statements (the add's compare-and-set
//   among them) on every call. With `prepare`, each is prepared once per connection instead:
//   postgres.js keeps them by their text. (Not behind PgBouncer's transaction pooling.)
//
// - A transaction that ends with its connection. When a transaction's connection is lost (a
//   failover, pg_terminate_backend), postgres.js rejects `begin` but lets the callback run on; once
//   the pool reconnects that connection object, the callback's later statements run on the new
//   session outside any transaction, and its end sends COMMIT or ROLLBACK there too, where it may
//   end another request's transaction (porsager/postgres#1216, unfixed in 3.4.x). A cart change
//   could then be half-written: lines without their version bump. So a statement the transaction
//   issues once it has ended (settled, or its connection lost) is refused without being sent, and
//   a callback whose connection was lost never settles: its caller already has `begin`'s
//   rejection, and no COMMIT or ROLLBACK of it reaches a connection.

// A lost connection's code, so it answers 503 like the loss itself (lib/storage/database-errors.ts).
export class TransactionEndedError extends Error {
  readonly code = "CONNECTION_CLOSED";
  constructor(cause: unknown) {
    super("the transaction has ended; the statement was not sent", { cause });
    this.name = "TransactionEndedError";
  }
}

type QueryOptions = Parameters<Sql["unsafe"]>[2];

// The query options a statement is sent with: named (prepared) when the client prepares.
const sentWith = (prepare: boolean, queryOptions?: QueryOptions): QueryOptions => (prepare ? { ...queryOptions, prepare: true } : queryOptions);

type Query = ReturnType<Sql["unsafe"]>;
type Then = Query["then"];

// A query that rejects instead of running once `ended()` says so (a postgres.js query runs when first awaited).
function refusedWhenEnded(query: Query, ended: () => unknown, seen: (err: unknown) => void): Query {
  const then = query.then;
  query.then = function (this: Query, onFulfilled?: Parameters<Then>[0], onRejected?: Parameters<Then>[1]) {
    const reason = ended();
    const outcome: Promise<unknown> = reason
      ? Promise.reject(new TransactionEndedError(reason))
      : then.call(this, undefined, (err: unknown) => {
          seen(err);
          throw err;
        });
    return outcome.then(onFulfilled as (value: unknown) => unknown, onRejected);
  } as Then;
  // postgres.js's catch, finally and execute send the query themselves: through `then` instead.
  const execute = query.execute;
  query.catch = function (this: Query, onRejected?: Parameters<Then>[1]) {
    return this.then(undefined, onRejected);
  } as Query["catch"];
  query.finally = function (this: Query, onFinally?: (() => void) | null) {
    return this.then(
      (value) => (onFinally?.(), value),
      (err: unknown) => {
        onFinally?.();
        throw err;
      },
    );
  } as Query["finally"];
  query.execute = function (this: Query) {
    if (!ended()) execute.call(this);
    return this;
  } as Query["execute"];
  return query;
}

// A transaction's own client: its statements go through `refusedWhenEnded`, savepoints too.
function transactionClient(tx: Sql, prepare: boolean, ended: () => unknown, seen: (err: unknown) => void): Sql {
  const unsafe = (query: string, params?: unknown[], queryOptions?: QueryOptions) =>
    refusedWhenEnded(tx.unsafe(query, params as never, sentWith(prepare, queryOptions)), ended, seen);
  const savepoint = (...args: unknown[]) => {
    const callback = args[args.length - 1] as (sp: Sql) => unknown;
    const own = (tx as unknown as { savepoint: (...a: unknown[]) => Promise<unknown> }).savepoint;
    return own.call(tx, ...args.slice(0, -1), (sp: Sql) => callback(transactionClient(sp, prepare, ended, seen)));
  };
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === "unsafe") return unsafe;
      if (prop === "savepoint") return savepoint;
      return Reflect.get(target, prop, target);
    },
  });
}

// A fresh one each time: nothing holds its resolvers, so it and what awaits it can be collected.
const never = () => new Promise<never>(() => {});

// Why a transaction that committed or rolled back is over (one value: made once, not per transaction).
const SETTLED = new Error("the transaction has ended");

export function wrapPostgresClient(client: Sql, { prepare }: { prepare: boolean }): Sql {
  const unsafe = (query: string, params?: unknown[], queryOptions?: QueryOptions) => client.unsafe(query, params as never, sentWith(prepare, queryOptions));
  const begin = (...args: unknown[]) => {
    const callback = args[args.length - 1] as (tx: Sql) => Promise<unknown>;
    // Why the transaction is over, once it is: its connection's loss, or its own end.
    let ended: unknown = null;
    const seen = (err: unknown) => {
      if (isConnectionLost(err)) ended ??= err;
    };
    const run = (client.begin as (...a: unknown[]) => Promise<unknown>)(...args.slice(0, -1), async (tx: Sql) => {
      try {
        const value = await callback(transactionClient(tx, prepare, () => ended, seen));
        return ended ? never() : value;
      } catch (err) {
        seen(err);
        if (ended) return never();
        throw err;
      }
    });
    const over = (reason: unknown) => {
      ended ??= reason ?? SETTLED;
    };
    run.then(() => over(null), over);
    return run;
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "unsafe") return unsafe;
      if (prop === "begin") return begin;
      return Reflect.get(target, prop, target);
    },
  });
}
