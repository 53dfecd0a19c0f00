import { z } from "./zod";
import type { CartView } from "../cart/types";

// The live cart: the browser follows `GET {basePath}/cart/live` (Server-Sent
// Events, read with fetch so the status code is visible), so a change made on
// another device shows here within a second. Contract (docs/api.md, v1.2):
//   200 text/event-stream: `event: cart` (data: the cart object, id: its version) at once,
//     then one per change; `: keep-alive` comments; `Last-Event-ID` resumes;
//     `event: rotated` then the stream ends: the session cookie changed, reconnect with it.
//   501 LIVE_UNAVAILABLE: no push on this deployment: poll `GET {basePath}/cart` with
//     `If-None-Match: "<version>"` (304: unchanged).
//   503 OVERLOADED with Retry-After: come back after it.
//   404 (no live route on this server): polls as for 501.
// Anything else (a dropped connection, a gateway error) reconnects with backoff.

export const POLL_INTERVAL_MS = 10_000;
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
const MAX_RETRY_AFTER_MS = 120_000;

export type LiveMode = "connecting" | "live" | "polling" | "waiting" | "off";

export interface LiveHandlers {
  // A cart the server sent (through the stream or a poll). The caller keeps it only when newer.
  onCart(cart: CartView): void;
  // The session rotated (sign-in or sign-out, here or in another tab of this browser).
  onRotated(): void;
  onMode?(mode: LiveMode): void;
  // The version the caller holds now, for If-None-Match while polling.
  currentVersion(): number;
}

export interface LiveOptions {
  // Where the module's routes live (createCart's basePath): "/api" by default.
  basePath: string;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  // Waits; tests pass a faster clock.
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

// Loosely checked (the server built it from the same types); notices keep their own shapes.
const liveCart = z.looseObject({
  id: z.string().nullable(),
  version: z.number().int(),
  currency: z.string(),
  items: z.array(z.looseObject({ productId: z.string(), quantity: z.number().int() })),
  itemCount: z.number().int(),
  subtotal: z.number().int(),
  updatedAt: z.string().nullable(),
  notices: z.array(z.looseObject({ type: z.string() })),
});

export function parseCart(text: string): CartView | null {
  try {
    const parsed = liveCart.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as unknown as CartView) : null;
  } catch {
    return null;
  }
}

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

// An incremental Server-Sent Events parser (the WHATWG rules that matter here:
// lines end in \n, \r\n or \r; a blank line dispatches; `:` starts a comment).
export function sseParser(onEvent: (event: SseEvent) => void) {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | null = null;
  const line = (text: string) => {
    if (text === "") {
      if (data.length > 0 || event !== "") onEvent({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      id = null;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id" && !value.includes("\0")) id = value;
  };
  return (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      if (!match) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (match[0] === "\r" && match.index === buffer.length - 1) break;
      line(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
    }
  };
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

function retryAfterMs(response: Response): number {
  const header = response.headers.get("retry-after");
  const seconds = header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : 5;
  // A little jitter, so streams refused together do not all come back in the same instant.
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) + Math.floor(Math.random() * 500);
}

// Follows the cart until the returned function is called.
export function followCart(handlers: LiveHandlers, options: LiveOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? defaultSleep;
  const pollEvery = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  const base = options.basePath.replace(/\/$/, "");
  let lastId: string | null = null;
  let failures = 0;
  const mode = (value: LiveMode) => handlers.onMode?.(value);

  const backoff = () => {
    const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!;
    failures += 1;
    return wait + Math.floor(Math.random() * 250);
  };

  // Reads one stream to its end. True when it ended with `rotated`.
  async function readStream(response: Response): Promise<boolean> {
    const body = response.body;
    if (!body) return false;
    let rotated = false;
    const decoder = new TextDecoder();
    const feed = sseParser((event) => {
      if (event.event === "cart") {
        const cart = parseCart(event.data);
        if (!cart) return;
        lastId = event.id ?? String(cart.version);
        failures = 0;
        handlers.onCart(cart);
      } else if (event.event === "rotated") {
        rotated = true;
      }
    });
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        feed(decoder.decode(value, { stream: true }));
        if (rotated) break;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
    return rotated;
  }

  async function poll(): Promise<void> {
    mode("polling");
    while (!signal.aborted) {
      await sleep(pollEvery, signal);
      if (signal.aborted) return;
      try {
        const response = await doFetch(`${base}/cart`, {
          headers: { Accept: "application/json", "If-None-Match": `"${handlers.currentVersion()}"` },
          credentials: "same-origin",
          cache: "no-store",
          signal,
        });
        if (response.status === 200) {
          const cart = parseCart(await response.text());
          if (cart) handlers.onCart(cart);
        } else if (response.status === 503) {
          await sleep(retryAfterMs(response), signal);
        }
      } catch {
        // Offline or aborted: try again at the next tick.
      }
    }
  }

  async function run(): Promise<void> {
    while (!signal.aborted) {
      mode("connecting");
      let response: Response;
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        response = await doFetch(`${base}/cart/live`, { headers, credentials: "same-origin", cache: "no-store", signal });
      } catch {
        if (signal.aborted) return;
        mode("waiting");
        await sleep(backoff(), signal);
        continue;
      }
      // 501: no push on this deployment. 404: no live route at all (an older server, or a
      // host that did not mount it): polling still brings other devices' changes.
      if (response.status === 501 || response.status === 404) {
        response.body?.cancel().catch(() => {});
        return poll();
      }
      if (response.status === 503) {
        response.body?.cancel().catch(() => {});
        mode("waiting");
        await sleep(retryAfterMs(response), signal);
        continue;
      }
      const type = response.headers.get("content-type") ?? "";
      if (response.status !== 200 || !type.startsWith("text/event-stream")) {
        response.body?.cancel().catch(() => {});
        mode("waiting");
        await sleep(backoff(), signal);
        continue;
      }
      mode("live");
      let rotated = false;
      try {
        rotated = await readStream(response);
      } catch {
        // The connection dropped: reconnect below.
      }
      if (signal.aborted) return;
      if (rotated) {
        // A new session, maybe another cart: start afresh with the new cookie.
        lastId = null;
        failures = 0;
        handlers.onRotated();
        continue;
      }
      mode("waiting");
      await sleep(backoff(), signal);
    }
  }

  void run().finally(() => mode("off"));
  return () => controller.abort();
}
