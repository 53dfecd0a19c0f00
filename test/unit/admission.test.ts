import { afterAll, describe, expect, it } from "vitest";
import { configureEnv } from "@/lib/config/env";
import { admitted } from "@/lib/http/admission";

// The event-loop limit, in this process: a loop that ran late in two windows running is shed,
// one stall alone is not, and an idle loop admits again.
const request = new Request("http://127.0.0.1/api/cart");
const served = () => Promise.resolve(new Response("ok"));

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
  afterAll(() => {
    configureEnv({});
  });

  it("sheds only while the loop is late in two windows running, then admits again", async () => {
    configureEnv({ ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "50", ADMISSION_MAX_IN_FLIGHT: "0" });
    expect((await admitted(request, served)).status).toBe(200); // starts watching
    await sleep(600);

    // One stall, then an idle loop: admitted.
    block(150);
    await sleep(600);
    expect((await admitted(request, served)).status).toBe(200);

    // A saturated loop: every turn 100 ms late, for four windows.
    await saturate(1000);
    const refused = await admitted(request, served);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual({ error: { code: "OVERLOADED", message: expect.any(String) } });

    await sleep(800);
    expect((await admitted(request, served)).status).toBe(200);
  });

  it("never sheds health and metrics", async () => {
    configureEnv({ ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "50", ADMISSION_MAX_IN_FLIGHT: "1" });
    await saturate(1000);
    expect((await admitted(new Request("http://127.0.0.1/api/health"), served)).status).toBe(200);
    expect((await admitted(new Request("http://127.0.0.1/api/metrics"), served)).status).toBe(200);
  });
});
