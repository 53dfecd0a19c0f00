import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insecureFetch } from "../support/https";
import { isPrimary, killFormationLeftovers, killPostmaster, nodeUrl, replication, waitForPrimary } from "../support/pg-ha";
import { redisUrl, uniquePrefix } from "../support/services";
import { Shopper } from "../support/shopper";
import { startStack, type Stack } from "../support/stack";

/**
 * Postgres high availability through the whole stack (issue 18):
 * `npm run stack -- --postgres ha` runs a pg_auto_failover formation (a monitor and
 * two nodes, synchronous replication) and gives the instances its multi-host URL.
 * Under a light mixed load (a few shoppers, each with its own cookie jar, adding and
 * reading), the primary's postmaster is SIGKILLed. Then:
 *   - no add acknowledged with a 200 is lost (every cart read afterwards, through the
 *     API and on the new primary),
 *   - writes answer 2xx again within 20 s of the kill (the measured time is printed),
 *   - every answer meanwhile is a 2xx, or a 503 with Retry-After: never a 500, never a
 *     dropped connection,
 *   - an add that was not acknowledged, sent again with its Idempotency-Key once writes
 *     are back, is applied exactly once.
 * These are the app's obligations as much as the formation's: where one fails, its
 * message says what the app must do (docs/operations.md, "Postgres high availability").
 */
const TEE = "sku-tee-black-m";
const SHOPPERS = 4;
const WARM_MS = 2_000;
// Writes must be back within this (the issue's target); the load runs at most this long after the kill.
const WRITES_BACK_MS = 20_000;
const LOAD_AFTER_KILL_MAX_MS = 30_000;
// Once writes are back, keep going this long to see that they stay back.
const STEADY_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Attempt {
  kind: "add" | "read";
  key?: string;
  sentAt: number;
  answeredAt: number;
  status: number | "connection error";
  retryAfter: string | null;
  code?: string;
}

interface Worker {
  s: Shopper;
  cartId: string;
  // Adds acknowledged with a 200 (the first add included).
  acknowledged: number;
  attempts: Attempt[];
}

const ok = (a: Attempt) => typeof a.status === "number" && a.status >= 200 && a.status < 300;
const acceptable = (a: Attempt) => ok(a) || (a.status === 503 && a.retryAfter !== null);
const describeAttempt = (a: Attempt, killedAt: number) =>
  `${a.kind} ${a.status}${a.code ? ` ${a.code}` : ""}${a.retryAfter ? ` Retry-After ${a.retryAfter}` : ""} sent ${a.sentAt - killedAt} ms from the kill`;

describe("the Postgres primary killed under load (npm run stack -- --postgres ha)", () => {
  let stack: Stack | undefined;
  // Kept, not thrown: each expectation below then fails under its own name with this reason
  // (a throwing beforeAll would report them as skipped).
  let startError: Error | undefined;
  const began = Date.now();
  let stackReadyMs = 0;

  beforeAll(async () => {
    try {
      stack = await startStack({
        instances: 2,
        postgres: "ha",
        env: { REDIS_URL: redisUrl, STORE_KEY_PREFIX: uniquePrefix("pg_failover"), CART_MAX_QUANTITY: "100000" },
      });
      stackReadyMs = Date.now() - began;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      startError = new Error(
        /DATABASE_URL: Invalid URL/.test(message)
          ? `the instances refused the formation's multi-host DATABASE_URL (host:port,host:port?target_session_attrs=read-write): ` +
              `the app must accept it (lib/config/env.ts validates DATABASE_URL with z.url(), and lib/storage/pooler.ts parses it with new URL(); both throw on the comma)\n\n${message}`
          : message,
      );
    }
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    // The stack stops and removes its formation; if it could not, nothing may outlive the suite.
    const leftovers = stack ? killFormationLeftovers(stack) : 0;
    console.info(`pg-failover suite: ${stack ? `stack ready in ${(stackReadyMs / 1000).toFixed(1)} s, ` : "stack did not start, "}whole suite ${((Date.now() - began) / 1000).toFixed(1)} s`);
    expect(leftovers, "formation processes left running after the stack stopped").toBe(0);
  }, 60_000);

  /** The running stack, or this test fails with the reason it could not start. */
  function started(): Stack {
    if (!stack) throw startError ?? new Error("the stack did not start");
    return stack;
  }

  it("starts a formation of a primary and a synchronous secondary", async () => {
    const nodes = started().postgresNodes;
    expect(nodes.map((n) => n.role).sort()).toEqual(["primary", "secondary"]);
    const primary = nodes.find((n) => n.role === "primary")!;
    expect(await isPrimary(primary)).toBe(true);
    expect(await isPrimary(nodes.find((n) => n.role === "secondary")!)).toBe(false);
    // A commit returns only once the secondary has it: what makes a failover lose nothing acknowledged.
    const rep = await replication(primary);
    expect(rep.synchronousStandbyNames).toMatch(/^ANY 1 \(/);
    expect(rep.synchronousCommit).toBe("on");
    expect(rep.syncStates).toEqual(["quorum"]);
  });

  it("loses no acknowledged add, answers 2xx or 503 with Retry-After throughout, and takes writes again within 20 s", async () => {
    const stack = started();
    const workers: Worker[] = await Promise.all(
      Array.from({ length: SHOPPERS }, async () => {
        const s = new Shopper(stack.url, insecureFetch);
        const first = await s.add(TEE, 1);
        expect(first.status).toBe(200);
        return { s, cartId: (first.body as any).id as string, acknowledged: 1, attempts: [] };
      }),
    );

    let killedAt = Number.POSITIVE_INFINITY;
    let keys = 0;
    const record = async (w: Worker, kind: Attempt["kind"], send: () => ReturnType<Shopper["getCart"]>, key?: string) => {
      const sentAt = Date.now();
      try {
        const r = await send();
        const attempt: Attempt = { kind, key, sentAt, answeredAt: Date.now(), status: r.status, retryAfter: r.headers.get("retry-after"), code: (r.body as any)?.error?.code };
        w.attempts.push(attempt);
        return attempt;
      } catch {
        const attempt: Attempt = { kind, key, sentAt, answeredAt: Date.now(), status: "connection error", retryAfter: null };
        w.attempts.push(attempt);
        return attempt;
      }
    };

    // Each shopper: an add (with its own Idempotency-Key), then a read, then again. After an
    // answer that is not a 2xx, a short pause (not the whole Retry-After: the test measures
    // when writes come back).
    let stopAt = Number.POSITIVE_INFINITY;
    const allAttempts = () => workers.flatMap((w) => w.attempts);
    const loops = workers.map(async (w, i) => {
      while (Date.now() < stopAt) {
        const key = `pgha-${i}-${keys++}`;
        const add = await record(w, "add", () => w.s.add(TEE, 1, { "idempotency-key": key }), key);
        if (add.status === 200) w.acknowledged++;
        const read = await record(w, "read", () => w.s.getCart());
        await sleep(ok(add) && ok(read) ? 25 : 200);
      }
    });

    // The gateway's health, sampled all along: never "down" (503) during the failover.
    const healthAnswers: { at: number; status: number | "connection error"; says?: string }[] = [];
    const healthLoop = (async () => {
      while (Date.now() < stopAt) {
        const at = Date.now();
        try {
          const res = await insecureFetch(`${stack.url}/api/health`);
          healthAnswers.push({ at, status: res.status, says: ((await res.json()) as { status?: string }).status });
        } catch {
          healthAnswers.push({ at, status: "connection error" });
        }
        await sleep(200);
      }
    })();

    await sleep(WARM_MS);
    // The primary now (on a loaded machine the monitor may have switched since the stack started).
    const primary = await waitForPrimary(stack.postgresNodes, 10_000);
    killedAt = Date.now();
    killPostmaster(stack, primary);
    // Run until writes have stayed back for a while (at least the time the formation needs
    // to notice), or until well past the target.
    while (Date.now() < killedAt + LOAD_AFTER_KILL_MAX_MS) {
      await sleep(250);
      const adds = allAttempts().filter((a) => a.kind === "add");
      const lastFailure = Math.max(killedAt, ...adds.filter((a) => !ok(a)).map((a) => a.answeredAt));
      const backSince = adds.filter((a) => ok(a) && a.sentAt > lastFailure).map((a) => a.answeredAt);
      if (Date.now() > killedAt + 6_000 && backSince.length > 0 && Date.now() - lastFailure > STEADY_MS) break;
    }
    stopAt = Date.now();
    await Promise.all([...loops, healthLoop]);
    const loadEndedAt = Date.now();

    const attempts = allAttempts();
    const adds = attempts.filter((a) => a.kind === "add");
    const afterKill = attempts.filter((a) => a.answeredAt >= killedAt);
    const failedAdds = adds.filter((a) => !ok(a));
    const lastFailedAdd = Math.max(killedAt, ...failedAdds.map((a) => a.answeredAt));
    const firstBack = adds.filter((a) => ok(a) && a.sentAt >= lastFailedAdd).sort((a, b) => a.answeredAt - b.answeredAt)[0];
    const writesBackMs = firstBack ? firstBack.answeredAt - killedAt : undefined;
    const unacceptable = attempts.filter((a) => !acceptable(a));
    const byStatus = (list: Attempt[]) =>
      Object.entries(list.reduce<Record<string, number>>((acc, a) => ({ ...acc, [`${a.kind} ${a.status}${a.code ? ` ${a.code}` : ""}`]: (acc[`${a.kind} ${a.status}${a.code ? ` ${a.code}` : ""}`] ?? 0) + 1 }), {}))
        .map(([k, v]) => `${k} ×${v}`)
        .join(", ");
    console.info(
      [
        `pg failover: ${attempts.length} requests (${adds.length} adds), load ${((loadEndedAt - killedAt) / 1000).toFixed(1)} s after the kill`,
        `  writes answered 2xx again ${writesBackMs === undefined ? "never" : `${(writesBackMs / 1000).toFixed(1)} s`} after SIGKILL of the primary's postmaster (node ${primary.n})`,
        `  answers from the kill on: ${byStatus(afterKill)}`,
        `  not 2xx: ${attempts.filter((a) => !ok(a)).slice(0, 12).map((a) => describeAttempt(a, killedAt)).join("; ") || "none"}`,
      ].join("\n"),
    );

    // What the instances logged as unhandled (each a 500): the errors the app does not map yet.
    const unhandled = new Map<string, number>();
    for (const line of stack.output().split("\n")) {
      if (!line.includes('"unhandled error"')) continue;
      let what = line.slice(0, 300);
      try {
        const entry = JSON.parse(line);
        const err = entry.err ?? {};
        what = `${err.type ?? err.name ?? "Error"} ${err.code ?? ""}: ${err.message ?? ""}`.slice(0, 300);
      } catch {
        // not JSON: keep the line
      }
      unhandled.set(what, (unhandled.get(what) ?? 0) + 1);
    }
    const healthAfterKill = healthAnswers.filter((h) => h.at >= killedAt);
    console.info(`  /api/health from the kill on: ${healthAfterKill.map((h) => `${h.at - killedAt} ms ${h.status} ${h.says ?? ""}`).join("; ")}`);
    if (unhandled.size > 0) console.info(`  the app's unhandled errors: ${[...unhandled].map(([what, n]) => `${what} ×${n}`).join("; ")}`);

    // A new primary took over (or the old one came back): writes go somewhere.
    const nowPrimary = await waitForPrimary(stack.postgresNodes, 10_000);
    console.info(`  primary now: node ${nowPrimary.n} (was node ${primary.n})`);

    // 1. Nothing acknowledged is lost: each cart holds at least its acknowledged adds, and
    //    at most those plus the ones whose answer was not a 200 (they may have committed).
    const sql = postgres(nodeUrl(nowPrimary), { max: 1, onnotice: () => {} });
    try {
      for (const w of workers) {
        const cart = await w.s.getCart();
        expect(cart.status, "a read after the failover").toBe(200);
        const apiQuantity = (cart.body as any).items.find((i: any) => i.productId === TEE)?.quantity ?? 0;
        const [row] = await sql<{ quantity: number }[]>`select quantity from cart_lines where cart_id = ${w.cartId} and product_id = ${TEE}`;
        const unanswered = w.attempts.filter((a) => a.kind === "add" && a.status !== 200).length;
        expect(row?.quantity, "the cart line on the new primary").toBe(apiQuantity);
        expect(apiQuantity, "every add acknowledged with a 200 is in the cart (none lost in the failover)").toBeGreaterThanOrEqual(w.acknowledged);
        expect(apiQuantity, "nothing but acknowledged or unanswered adds").toBeLessThanOrEqual(w.acknowledged + unanswered);
      }
    } finally {
      await sql.end({ timeout: 1 });
    }

    // 2. Writes came back within the target.
    expect(writesBackMs, "writes answered 2xx again after the kill").toBeDefined();
    expect(writesBackMs!, "writes answer 2xx again within 20 s of the primary's death").toBeLessThanOrEqual(WRITES_BACK_MS);
    expect(adds.filter((a) => a.sentAt >= killedAt + WRITES_BACK_MS).every(ok), "every add sent 20 s or more after the kill answered 2xx").toBe(true);

    // 3. Every answer meanwhile: 2xx, or 503 with Retry-After. A 500 means the app did not map
    //    the dead connection to SERVICE_UNAVAILABLE; a connection error or 502, that a request
    //    hung past the gateway's read timeout or an instance fell over.
    expect(
      unacceptable.map((a) => describeAttempt(a, killedAt)),
      "answers that were neither 2xx nor 503 with Retry-After (the app must answer 503 + Retry-After while Postgres fails over, never 500)",
    ).toEqual([]);

    // 4. Health kept every instance in rotation: "degraded" while no node took writes (or none
    //    answered, within a failover's gap), never "down". (Which of ok and degraded a sample
    //    catches depends on when the formation promotes: read-only-primary.test.ts checks each.)
    expect(
      healthAfterKill.filter((h) => h.status !== 200 || (h.says !== "ok" && h.says !== "degraded")).map((h) => `${h.at - killedAt} ms: ${h.status} ${h.says ?? ""}`),
      "health answers after the kill that were not 200 ok or degraded",
    ).toEqual([]);

    // 5. Sent again with the same Idempotency-Key once writes are back, every add that got no
    //    200 is applied once: each cart then holds exactly its first add plus one per key.
    for (const w of workers) {
      for (const a of w.attempts.filter((x) => x.kind === "add" && x.status !== 200)) {
        let status: number | undefined;
        for (let tries = 0; tries < 5 && status !== 200; tries++) {
          status = (await w.s.add(TEE, 1, { "idempotency-key": a.key! })).status;
          if (status !== 200) await sleep(1_000);
        }
        expect(status, `the retry of ${a.key} with its Idempotency-Key`).toBe(200);
      }
      const keysSent = new Set(w.attempts.filter((a) => a.kind === "add").map((a) => a.key)).size;
      const cart = await w.s.getCart();
      const quantity = (cart.body as any).items.find((i: any) => i.productId === TEE)?.quantity ?? 0;
      expect(quantity, "each add applied exactly once after its idempotent retry").toBe(1 + keysSent);
    }
  }, 150_000);
});
