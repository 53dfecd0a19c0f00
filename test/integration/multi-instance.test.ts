import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppServer } from "../support/app";
import { prepareBackend, type Backend } from "../support/backends";
import { startInProcessApp, type InProcessApp } from "../support/in-process-app";
import { Shopper } from "../support/shopper";

/**
 * Stateless instances: two servers on one Postgres and one Redis prefix.
 * Any instance serves any request, and concurrent changes to one cart
 * through both keep every update (the row lock, not process memory, orders
 * them), including idempotent duplicates split across instances. The two
 * processes are this one (the demo's instance in-process,
 * test/support/in-process-app.ts) and one real `next start`: two processes,
 * so nothing in either's memory (its per-cart queue, its pool) can order
 * the other's writes.
 */
const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";

describe("two instances behind one load balancer", () => {
  let backend: Backend;
  let a: InProcessApp;
  let b: AppServer;

  beforeAll(async () => {
    backend = await prepareBackend("postgres+redis", "multi");
    [a, b] = await Promise.all([startInProcessApp(backend.env), startApp(backend.env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await backend?.cleanup();
  });

  it("serves one session from either instance", async () => {
    const viaA = new Shopper(a.url, a.fetch);
    await viaA.add(TEE, 2);
    const viaB = new Shopper(b.url);
    viaB.cookies = new Map(viaA.cookies);
    expect((await viaB.getCart()).body.items).toMatchObject([{ productId: TEE, quantity: 2 }]);
    await viaB.add(MUG, 1);
    expect((await viaA.getCart()).body.itemCount).toBe(3);
  });

  it("keeps all of 50 concurrent adds split across both instances", async () => {
    const viaA = new Shopper(a.url, a.fetch);
    await viaA.add(MUG, 1);
    const viaB = new Shopper(b.url);
    viaB.cookies = new Map(viaA.cookies);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? viaA : viaB).add(TEE, 1)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const cart = (await viaA.getCart()).body;
    expect(cart.items.find((i: any) => i.productId === TEE).quantity).toBe(50);
    expect(cart.version).toBe(51);
    expect((await viaB.getCart()).body).toEqual(cart);
  });

  it("applies an idempotent request once when its retries land on both instances", async () => {
    const viaA = new Shopper(a.url, a.fetch);
    await viaA.add(MUG, 1);
    const viaB = new Shopper(b.url);
    viaB.cookies = new Map(viaA.cookies);
    const headers = { "idempotency-key": `multi-${Date.now()}` };
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? viaA : viaB).add(TEE, 3, headers)));
    for (const r of replies) expect([200, 409]).toContain(r.status);
    const cart = (await viaB.getCart()).body;
    expect(cart.items.find((i: any) => i.productId === TEE).quantity).toBe(3);
    expect(cart.version).toBe(2);
  });

  it("orders an add racing a remove consistently: adds after the remove are all that is left", async () => {
    const viaA = new Shopper(a.url, a.fetch);
    await viaA.add(TEE, 5);
    const viaB = new Shopper(b.url);
    viaB.cookies = new Map(viaA.cookies);
    const adds = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? viaA : viaB).add(TEE, 1));
    const remove = viaB.remove(TEE);
    const [addReplies, removed] = await Promise.all([Promise.all(adds), remove]);
    expect(addReplies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(removed.status).toBe(200);
    // Versions give the order the database applied: only adds after the remove survive it.
    const after = addReplies.filter((r) => r.body.version > removed.body.version).length;
    const cart = (await viaA.getCart()).body;
    expect(cart.items.find((i: any) => i.productId === TEE)?.quantity ?? 0).toBe(after);
    expect(cart.version).toBe(1 + 10 + 1);
  });

  it("orders an update racing a delete consistently: never a line updated after its delete", async () => {
    const viaA = new Shopper(a.url, a.fetch);
    const viaB = new Shopper(b.url);
    for (let round = 0; round < 8; round += 1) {
      await viaA.add(MUG, 2);
      viaB.cookies = new Map(viaA.cookies);
      const [patched, deleted] = await Promise.all([viaA.setQuantity(MUG, 7), viaB.remove(MUG)]);
      expect(deleted.status).toBe(200);
      expect([200, 404]).toContain(patched.status);
      if (patched.status === 200) expect(patched.body.version).toBeLessThan(deleted.body.version);
      else expect(patched.body.error.code).toBe("ITEM_NOT_FOUND");
      expect((await viaA.getCart()).body.items).toEqual([]);
    }
  });
});
