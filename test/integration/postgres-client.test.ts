import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { wrapPostgresClient, TransactionEndedError } from "@/lib/storage/postgres-client";
import { createTestDatabase } from "../support/databases";
import { adminDatabaseUrl } from "../support/services";

/**
 * A transaction whose connection is lost (pg_terminate_backend, as a failover does) must end
 * there: postgres.js alone lets its callback run on, and once the pool reconnects the callback's
 * later statements run outside any transaction and its end commits or rolls back whatever
 * transaction the reconnected connection holds next (porsager/postgres#1216). This is what once
 * left a cart with a line written and its version not bumped under test/integration/postgres-faults.
 * The client is the one Drizzle gets (lib/storage/postgres-client.ts), on a pool of one
 * connection, so the reconnected connection is the lost one.
 */
describe("postgres client: a transaction ends with its connection", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: postgres.Sql;
  let sql: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase("pg_client");
    admin = postgres(database.url, { max: 1, onnotice: () => {} });
    await admin`create table probe (n int)`;
  });

  beforeEach(async () => {
    await admin`truncate probe`;
    sql = wrapPostgresClient(postgres(database.url, { max: 1, onnotice: () => {} }), { prepare: true });
    await sql.unsafe("select 1");
  });

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await admin?.end();
    await database?.drop();
  });

  const terminate = async (pid: number) => {
    const killer = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
    await killer`select pg_terminate_backend(${pid})`;
    await killer.end();
  };
  const rows = async () => (await admin<{ n: number }[]>`select n from probe order by n`).map((r) => r.n);
  const backendPid = async (tx: postgres.TransactionSql) => ((await tx.unsafe("select pg_backend_pid() as pid")) as unknown as { pid: number }[])[0]!.pid;

  it("refuses the statements its callback issues after the loss, and commits none of them", async () => {
    let later: unknown = null;
    let resumed!: () => void;
    const resume = new Promise<void>((r) => (resumed = r));
    const transaction = sql.begin(async (tx) => {
      await tx.unsafe("insert into probe values (1)");
      await terminate(await backendPid(tx));
      await resume;
      // The pool has reconnected meanwhile (the query below): this must not run there.
      await tx.unsafe("insert into probe values (2)").catch((err: unknown) => (later = err));
    });
    await expect(transaction).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(await sql.unsafe("select 42 as answer")).toEqual([{ answer: 42 }]);
    resumed();
    await expect.poll(() => later).toBeInstanceOf(TransactionEndedError);
    expect(await rows()).toEqual([]);
  });

  it("does not end the next transaction on the reconnected connection when its callback returns late", async () => {
    let resumed!: () => void;
    const resume = new Promise<void>((r) => (resumed = r));
    let finished = false;
    const lost = sql.begin(async (tx) => {
      await terminate(await backendPid(tx));
      await resume;
      finished = true;
      // Returning here would make postgres.js send COMMIT on the connection's next session.
    });
    await expect(lost).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    // The next transaction on the same (reconnected) connection: the lost one's end must not commit it halfway.
    const next = sql.begin(async (tx) => {
      await tx.unsafe("insert into probe values (3)");
      resumed();
      await expect.poll(() => finished).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      await tx.unsafe("insert into probe values (4)");
      throw new Error("rolled back on purpose");
    });
    await expect(next).rejects.toThrow("rolled back on purpose");
    expect(await rows()).toEqual([]);
    // And the pool goes on.
    await sql.begin((tx) => tx.unsafe("insert into probe values (5)"));
    expect(await rows()).toEqual([5]);
  });
});
