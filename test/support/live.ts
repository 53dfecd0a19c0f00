import type { Shopper } from "./shopper";

/**
 * A Server-Sent Events client for GET /api/cart/live, as a browser's EventSource reads it: the
 * events in order (`event`, `id`, `data`), the comment lines counted, and whether the server
 * ended the stream. `close()` is the client going away (the request aborted).
 */
export interface LiveEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export interface LiveConnection {
  status: number;
  headers: Headers;
  // The error body when the stream was refused.
  refusal: any;
  events: LiveEvent[];
  comments: number;
  // Each comment's text (`: keep-alive` is "keep-alive"), in order.
  commentTexts: string[];
  // Resolves with the next event not yet taken (or null when the stream ended first).
  next(timeoutMs?: number): Promise<LiveEvent | null>;
  // Resolves once a comment line arrived (after the ones already counted).
  nextComment(timeoutMs?: number): Promise<void>;
  // Resolves when the server ended the stream.
  ended: Promise<void>;
  close(): void;
}

export async function openLive(shopper: Shopper, send: typeof fetch, headers: Record<string, string> = {}, path = "/api/cart/live"): Promise<LiveConnection> {
  const abort = new AbortController();
  const requestHeaders: Record<string, string> = { accept: "text/event-stream", ...headers };
  if (shopper.cookies.size > 0) requestHeaders.cookie = shopper.cookieHeader();
  const res = await send(shopper.baseUrl + path, { headers: requestHeaders, signal: abort.signal });
  // A new visitor's stream sets the session cookie, as any answer does.
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    shopper.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
  const events: LiveEvent[] = [];
  let taken = 0;
  let comments = 0;
  const commentTexts: string[] = [];
  let seenComments = 0;
  let done = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => (endedResolve = r));

  let refusal: unknown = null;
  let cancel = () => {};
  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    try {
      refusal = JSON.parse(text);
    } catch {
      refusal = text;
    }
    done = true;
    endedResolve();
  } else {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    cancel = () => void reader.cancel().catch(() => {});
    void (async () => {
      let buffer = "";
      try {
        for (;;) {
          const { value, done: finished } = await reader.read();
          if (finished) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: LiveEvent = { event: "message", id: undefined, data: "" };
            const data: string[] = [];
            let isEvent = false;
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) {
                comments += 1;
                commentTexts.push(line.slice(1).trim());
                continue;
              }
              const colon = line.indexOf(":");
              const field = colon < 0 ? line : line.slice(0, colon);
              const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
              isEvent = true;
              if (field === "event") event.event = text;
              else if (field === "id") event.id = text;
              else if (field === "data") data.push(text);
            }
            if (isEvent) {
              event.data = data.join("\n");
              events.push(event);
            }
            wake();
          }
        }
      } catch {
        // aborted by close()
      } finally {
        done = true;
        endedResolve();
        wake();
      }
    })();
  }

  const waitFor = <T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms (events so far: ${JSON.stringify(events.map((e) => [e.event, e.id]))})`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    status: res.status,
    headers: res.headers,
    refusal,
    events,
    get comments() {
      return comments;
    },
    commentTexts,
    next(timeoutMs = 5_000) {
      return waitFor<LiveEvent | null>(() => (taken < events.length ? events[taken++]! : done ? null : undefined), timeoutMs, "event");
    },
    async nextComment(timeoutMs = 5_000) {
      const after = seenComments;
      await waitFor(() => (comments > after ? true : undefined), timeoutMs, "comment");
      seenComments = comments;
    },
    ended,
    // As a browser closing an EventSource: the request aborted and its body no longer read.
    close() {
      abort.abort();
      cancel();
    },
  };
}
