import type { Sql } from "postgres";

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

// postgres.js's codes for a connection that is gone, and the server's FATAL ends of a session.
const LOST_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

export function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  return (typeof e.code === "string" && (LOST_CODES.has(e.code) || e.code.startsWith("57P") || e.code.startsWith("08"))) || e.severity === "FATAL" || e.severity === "PANIC";
}

export class TransactionEndedError extends Error {
  readonly code = "CONNECTION_CLOSED";
  constructor(readonly cause: unknown) {
    super("the transaction's connection was lost; the statement was not sent");
    this.name = "TransactionEndedError";
  }
}

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
function transactionClient(tx: Sql, options: { prepare: boolean }, ended: () => unknown, seen: (err: unknown) => void): Sql {
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], queryOptions?: object) =>
          refusedWhenEnded(target.unsafe(query, params as never, options.prepare ? { ...queryOptions, prepare: true } : queryOptions), ended, seen);
      }
      if (prop === "savepoint") {
        return (...args: unknown[]) => {
          const callback = args[args.length - 1] as (sp: Sql) => unknown;
          const savepoint = (target as unknown as { savepoint: (...a: unknown[]) => Promise<unknown> }).savepoint;
          return savepoint.call(target, ...args.slice(0, -1), (sp: Sql) => callback(transactionClient(sp, options, ended, seen)));
        };
      }
      return Reflect.get(target, prop, target);
    },
  });
}

// A fresh one each time: nothing holds its resolvers, so it and what awaits it can be collected.
const never = () => new Promise<never>(() => {});

export function wrapPostgresClient(client: Sql, options: { prepare: boolean }): Sql {
  const begin = (...args: unknown[]) => {
    const callback = args[args.length - 1] as (tx: Sql) => Promise<unknown>;
    // Why the transaction is over, once it is: its connection's loss, or its own end.
    let ended: unknown = null;
    const seen = (err: unknown) => {
      if (isConnectionLost(err)) ended ??= err;
    };
    const run = (client.begin as (...a: unknown[]) => Promise<unknown>)(...args.slice(0, -1), async (tx: Sql) => {
      try {
        const value = await callback(transactionClient(tx, options, () => ended, seen));
        return ended ? never() : value;
      } catch (err) {
        seen(err);
        if (ended) return never();
        throw err;
      }
    });
    const settle = (reason: unknown) => {
      ended ??= reason;
    };
    run.then(
      () => settle(new Error("the transaction has ended")),
      (err) => settle(err ?? new Error("the transaction has ended")),
    );
    return run;
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "unsafe" && options.prepare) {
        return (query: string, params?: unknown[], queryOptions?: object) => target.unsafe(query, params as never, { ...queryOptions, prepare: true });
      }
      if (prop === "begin") return begin;
      return Reflect.get(target, prop, target);
    },
  });
}
