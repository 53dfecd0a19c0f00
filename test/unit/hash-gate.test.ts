import { describe, expect, it } from "vitest";
import { withHashSlot } from "@/lib/identity/password";
import { createCart, memoryCatalog } from "@/lib/server";

// The password-hash gate serves known accounts first (lib/identity/password.ts): a sign-in for an
// account that exists waits ahead of every unknown one, and takes the place of the last unknown
// one when the queue is full. Work here is promises the test settles, so the order is exact.
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("the password-hash gate", () => {
  const cart = createCart({ catalog: memoryCatalog([]), tuning: { PASSWORD_HASH_CONCURRENCY: 1, PASSWORD_HASH_QUEUE: 2, PASSWORD_HASH_WAIT_MS: 60_000 }, env: {} });

  it("lets a known account's sign-in go ahead of unknown ones waiting, and bumps the last unknown one from a full queue", async () => {
    await cart.runtime.run(async () => {
      const order: string[] = [];
      const slot = deferred();
      const running = withHashSlot(async () => {
        await slot.promise;
        order.push("running");
      }, "unknown");
      const unknownA = withHashSlot(async () => void order.push("unknown A"), "unknown");
      const unknownB = withHashSlot(async () => void order.push("unknown B"), "unknown");
      // The queue (2) is full of unknown accounts: a known one takes the last one's place.
      const known = withHashSlot(async () => void order.push("known"), "known");
      await expect(unknownB).rejects.toMatchObject({ code: "OVERLOADED" });
      // A full queue with no unknown account left to bump refuses another unknown one at once.
      const unknownC = withHashSlot(async () => void order.push("unknown C"), "unknown");
      await expect(unknownC).rejects.toMatchObject({ code: "OVERLOADED" });
      slot.resolve();
      await Promise.all([running, unknownA, known]);
      expect(order).toEqual(["running", "known", "unknown A"]);
    });
  });
});
