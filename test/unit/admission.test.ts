import { describe, expect, it } from "vitest";
import { admit } from "@/lib/http/admission";
import { testInstance } from "../support/instance";

// The event-loop limit, in this process: a loop that ran late in two windows running is shed,
// one stall alone is not, and an idle loop admits again.
const served = () => Promise.resolve("served");
const refused = () => "refused";

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: the event loop cannot run
  }
}
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

async function saturate(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    block(100);
    await turn();
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("admission by event-loop delay", () => {
  it("sheds only while the loop is late in two windows running, then admits again", async () => {
    const { run } = testInstance({ ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "50", ADMISSION_MAX_IN_FLIGHT: "0" });
    expect(await run(() => admit(served, refused))).toBe("served"); // starts watching
    await sleep(600);

    // One stall, then an idle loop: admitted.
    block(150);
    await sleep(600);
    expect(await run(() => admit(served, refused))).toBe("served");

    // A saturated loop: every turn 100 ms late, for four windows.
    await saturate(1000);
    expect(await run(() => admit(served, refused))).toBe("refused");

    await sleep(800);
    expect(await run(() => admit(served, refused))).toBe("served");
  });

  it("counts requests in flight against ADMISSION_MAX_IN_FLIGHT and lets them go when done", async () => {
    const { run } = testInstance({ ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "0", ADMISSION_MAX_IN_FLIGHT: "1" });
    let release!: () => void;
    const held = run(() => admit(() => new Promise<string>((resolve) => (release = () => resolve("first"))), refused));
    expect(await run(() => admit(served, refused))).toBe("refused");
    release();
    expect(await held).toBe("first");
    expect(await run(() => admit(served, refused))).toBe("served");
  });
});
