import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_METRICS_TOKEN, type AppServer } from "../support/app";
import { createTestDatabase } from "../support/databases";
import { parsePrometheusText, samplesMatching } from "../support/prometheus";
import { redisUrl, uniquePrefix } from "../support/services";
import { Shopper, type Reply } from "../support/shopper";

// In-app admission control (lib/http/admission.ts) on one `next start` with no gateway:
// a flood of concurrent adds from new visitors, made slow by a one-connection Postgres
// pool, is partly refused with 503 OVERLOADED; with the limits off nothing is refused.
const FLOOD = 80;
const TEE = "sku-tee-black-m";

async function appWith(purpose: string, env: Record<string, string>) {
  const database = await createTestDatabase(purpose);
  const app = await startApp({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    STORE_KEY_PREFIX: uniquePrefix(purpose),
    DATABASE_POOL_SIZE: "1",
    ...env,
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  return {
    app,
    async stop() {
      await app.stop();
      await database.drop();
    },
  };
}

// Every visitor new (no cookie), all at once.
function flood(url: string): Promise<Reply<any>[]> {
  return Promise.all(Array.from({ length: FLOOD }, () => new Shopper(url).add(TEE, 1)));
}

describe("admission control with a small in-flight limit", () => {
  let running: Awaited<ReturnType<typeof appWith>>;
  let app: AppServer;
  beforeAll(async () => {
    running = await appWith("admission_on", { ADMISSION_MAX_IN_FLIGHT: "4", ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "0" });
    app = running.app;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("sheds part of a flood with 503 OVERLOADED, Retry-After and the contract's body, and no other 5xx", async () => {
    const replies = await flood(app.url);
    const shed = replies.filter((r) => r.status === 503);
    const served = replies.filter((r) => r.status === 200);
    expect(shed.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    expect(shed.length + served.length).toBe(FLOOD);
    for (const reply of shed) {
      expect(reply.body).toEqual({ error: { code: "OVERLOADED", message: expect.any(String) } });
      expect(reply.headers.get("retry-after")).toBe("1");
      expect(reply.headers.get("cache-control")).toBe("no-store");
      // Refused before the session was touched: no cookie, so no half-made session.
      expect(reply.headers.getSetCookie()).toEqual([]);
    }
    for (const reply of served) expect(reply.body.items).toEqual([expect.objectContaining({ productId: TEE, quantity: 1 })]);
  });

  it("keeps health and metrics answerable during a flood, and counts what it shed", async () => {
    const during = flood(app.url);
    const bearer = { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } };
    const [health, metrics] = await Promise.all([fetch(`${app.url}/api/health`), fetch(`${app.url}/api/metrics`, bearer)]);
    await during;
    expect(health.status).toBe(200);
    expect(metrics.status).toBe(200);
    const after = parsePrometheusText(await (await fetch(`${app.url}/api/metrics`, bearer)).text());
    const shed = samplesMatching(after, "cart_rejections_total", { reason: "overload", scope: "in_flight" });
    expect(shed.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThan(0);
    expect(after.get("cart_admission_in_flight")?.type).toBe("gauge");
  });
});

describe("admission control switched off", () => {
  let running: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    running = await appWith("admission_off", { ADMISSION_MAX_IN_FLIGHT: "0", ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "0" });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("serves the whole flood (queued, none refused)", async () => {
    const replies = await flood(running.app.url);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
  });
});
