import { cleanup, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CartView } from "@/lib/cart/types";
import { CartProvider } from "@/lib/react";
import { followCart, sseParser, type LiveMode, type SseEvent } from "@/lib/react/live";
import { actionsWith, cartOf, line, renderCart } from "./harness";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

// A scripted server for GET /api/cart/live and GET /api/cart: each request is
// recorded and answered by the test with a status and, for a stream, events it pushes.
function scriptedServer() {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const answers: Array<(url: string) => Response> = [];
  let waiting: Array<() => void> = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    requests.push({ url, headers: { ...(init?.headers as Record<string, string>) } });
    const checks = waiting;
    waiting = [];
    checks.forEach((w) => w());
    const answer = answers.shift();
    // Nothing scripted: the request hangs until the follower stops.
    if (!answer) {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(new TypeError("aborted"))));
    }
    return answer(url);
  }) as typeof globalThis.fetch;
  const request = (n: number) =>
    new Promise<{ url: string; headers: Record<string, string> }>((resolve) => {
      const check = () => (requests[n - 1] ? resolve(requests[n - 1]!) : waiting.push(check));
      check();
    });
  return { fetch, requests, answers, request };
}

function stream() {
  let push: (text: string) => void = () => {};
  let end: () => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const encoder = new TextEncoder();
      push = (text) => controller.enqueue(encoder.encode(text));
      end = () => controller.close();
    },
  });
  const response = new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  return { response, push: (text: string) => push(text), end: () => end() };
}

const cartEvent = (cart: CartView) => `event: cart\nid: ${cart.version}\ndata: ${JSON.stringify(cart)}\n\n`;
const instant = () => Promise.resolve();

function collector() {
  const carts: CartView[] = [];
  const modes: LiveMode[] = [];
  let rotations = 0;
  let waiting: Array<() => void> = [];
  const changed = () => {
    const checks = waiting;
    waiting = [];
    checks.forEach((w) => w());
  };
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      const test = () => (check() ? resolve() : waiting.push(test));
      test();
    });
  return {
    carts,
    modes,
    rotations: () => rotations,
    until,
    handlers: {
      onCart: (cart: CartView) => {
        carts.push(cart);
        changed();
      },
      onRotated: () => {
        rotations += 1;
        changed();
      },
      onMode: (mode: LiveMode) => {
        modes.push(mode);
        changed();
      },
      currentVersion: () => carts.at(-1)?.version ?? 0,
    },
  };
}

describe("the live cart's event stream", () => {
  it("parses events split anywhere, skips comments, keeps ids", () => {
    const events: SseEvent[] = [];
    const feed = sseParser((event) => events.push(event));
    feed(": keep-alive\n\nevent: ca");
    feed("rt\r\nid: 7\r\ndata: {\"a\":1}\r");
    feed("\n\r\nevent: rotated\ndata:\n\n");
    expect(events).toEqual([
      { event: "cart", data: '{"a":1}', id: "7" },
      { event: "rotated", data: "", id: null },
    ]);
  });

  it("applies each cart event, resumes with Last-Event-ID, and reconnects afresh after `rotated`", async () => {
    const server = scriptedServer();
    const seen = collector();
    const first = stream();
    const second = stream();
    const third = stream();
    server.answers.push(() => first.response, () => second.response, () => third.response);
    const stop = followCart(seen.handlers, { basePath: "/shop-api", fetch: server.fetch, sleep: instant });

    const opened = await server.request(1);
    expect(opened.url).toBe("/shop-api/cart/live");
    expect(opened.headers["Last-Event-ID"]).toBeUndefined();
    first.push(cartEvent(cartOf([line("p1", 1)], 3)));
    first.push(": keep-alive\n\n");
    first.push(cartEvent(cartOf([line("p1", 2)], 4)));
    await seen.until(() => seen.carts.length === 2);
    expect(seen.carts.map((c) => c.version)).toEqual([3, 4]);

    // The connection drops: the next one resumes from the last id.
    first.end();
    const resumed = await server.request(2);
    expect(resumed.headers["Last-Event-ID"]).toBe("4");
    second.push("event: rotated\ndata: {}\n\n");
    await seen.until(() => seen.rotations() === 1);
    // A new session: no Last-Event-ID.
    const fresh = await server.request(3);
    expect(fresh.headers["Last-Event-ID"]).toBeUndefined();
    stop();
  });

  it("falls back to polling with If-None-Match on 501, and waits out a 503's Retry-After", async () => {
    const server = scriptedServer();
    const seen = collector();
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    server.answers.push(
      () => new Response(JSON.stringify({ error: { code: "OVERLOADED" } }), { status: 503, headers: { "retry-after": "7" } }),
      () => new Response(JSON.stringify({ error: { code: "LIVE_UNAVAILABLE" } }), { status: 501 }),
      () => new Response(JSON.stringify(cartOf([line("p1", 1)], 6)), { status: 200, headers: { "content-type": "application/json" } }),
      () => new Response(null, { status: 304 }),
    );
    const stop = followCart(seen.handlers, { basePath: "/api", fetch: server.fetch, sleep, pollIntervalMs: 4000 });
    await server.request(4);
    await seen.until(() => seen.carts.length === 1);
    expect(server.requests.map((r) => r.url)).toEqual(["/api/cart/live", "/api/cart/live", "/api/cart", "/api/cart"]);
    expect(waits[0]).toBeGreaterThanOrEqual(7000);
    expect(server.requests[2]?.headers["If-None-Match"]).toBe('"0"');
    expect(server.requests[3]?.headers["If-None-Match"]).toBe('"6"');
    expect(seen.modes).toContain("polling");
    stop();
  });
});

describe("the provider's live prop", () => {
  it("opens no stream with live={false} (no fetch or EventSource to /api/cart/live), where a provider left live opens one", async () => {
    const server = scriptedServer();
    const eventSources: string[] = [];
    vi.stubGlobal("fetch", server.fetch);
    vi.stubGlobal(
      "EventSource",
      class {
        constructor(url: string) {
          eventSources.push(url);
        }
        close() {}
      },
    );
    const cart = cartOf([line("p1", 1)], 2);
    // The provider under test (live off, default basePath) and, mounted in the same commit, one left
    // live on another basePath: once that one's request is made, the first one's would have been.
    await renderCart(cart, actionsWith({}), (
      <CartProvider cartPromise={Promise.resolve(cart)} actions={actionsWith({})} basePath="/live-api">
        <p>inner</p>
      </CartProvider>
    ), { live: false });
    await waitFor(() => expect(server.requests.map((r) => r.url)).toContain("/live-api/cart/live"));
    expect(server.requests.map((r) => r.url)).toEqual(["/live-api/cart/live"]);
    expect(eventSources).toEqual([]);
  });
});
