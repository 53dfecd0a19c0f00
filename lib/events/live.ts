import { getCart, type CartResult } from "../cart/service";
import type { CartRef } from "../cart/types";
import { env, type Env } from "../config/env";
import { AppError } from "../errors";
import { log } from "../log/logger";
import { setProbe } from "../observe/metrics";
import { currentContext, currentRuntime } from "../runtime/context";
import type { CartRuntime } from "../runtime/runtime";
import { sharedValue } from "../runtime/shared";
import { sessionEndedInStore, type Session } from "../session/session";
import { openPubSub, type PubSub } from "../storage/pubsub";

// Live carts (GET /api/cart/live): a Server-Sent Events stream per open device, fed by the
// runtime's "cart changed" and "session ended" notifications.
//
// Fan-out: every instance publishes a small message per committed change ({c: cart id, v:
// version, u: owner}) and per ended session ({s: session id}) on one channel of its key prefix
// (lib/storage/pubsub.ts: Redis pub/sub, sharded on a cluster, in process on the embedded
// default), and holds ONE subscription to it, whatever the number of streams; a message wakes
// only the streams it concerns (by user for a signed-in device, by cart for a guest's). Local
// streams hear their own instance's changes through the same channel, so one path serves
// both; a publish that fails is delivered to this instance's streams at once instead.
//
// A woken stream reads the cart through the read path (the cache first: the change cached its
// snapshot before saying so), so an open stream costs nothing while nothing changes, and a
// message whose version the stream has already sent costs no read at all.

type Message = { c: string; v: number; u: string | null } | { s: string };

const channelOf = (settings: Env) => `${settings.STORE_KEY_PREFIX}live`;
const keyOf = (ref: CartRef) => (ref.userId !== null ? `u:${ref.userId}` : `c:${ref.cartId}`);

const encoder = new TextEncoder();

// One SSE event (every line of `data` prefixed, as the format requires).
function sseEvent(event: string, data: string, id?: string): Uint8Array {
  const lines = [`event: ${event}`, ...(id !== undefined ? [`id: ${id}`] : []), ...data.split("\n").map((line) => `data: ${line}`)];
  return encoder.encode(`${lines.join("\n")}\n\n`);
}

const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");
// What a stream resumed at its current version starts with: a server (next start, and nginx after
// it) sends the headers with the first bytes, so with nothing to send the client would not know it
// is connected until the first keep-alive.
const RESUMED = encoder.encode(": resumed\n\n");

// One open stream: the device's session, the cart it follows and what it was last sent.
class LiveStream {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  closed = false;
  // The cart and version the client holds (sent, or named by Last-Event-ID).
  sent: { cartId: string | null; version: number } | null = null;

  constructor(
    readonly hub: LiveHub,
    readonly runtime: CartRuntime,
    readonly sid: string,
    public ref: CartRef,
    private readonly onClose: () => void,
  ) {}

  get key(): string {
    return keyOf(this.ref);
  }

  attach(controller: ReadableStreamDefaultController<Uint8Array>, pending: Uint8Array[], keepAliveMs: number): void {
    this.controller = controller;
    for (const chunk of pending) controller.enqueue(chunk);
    this.keepAlive = setInterval(() => this.write(KEEP_ALIVE), keepAliveMs);
    this.keepAlive.unref?.();
  }

  private write(chunk: Uint8Array): void {
    if (this.closed || !this.controller) return;
    try {
      this.controller.enqueue(chunk);
    } catch {
      this.close();
    }
  }

  // The cart as read now: sent when it is another cart, or a newer version of the one the client holds.
  offer(result: CartResult): Uint8Array | null {
    if (result.cartId !== this.ref.cartId) this.hub.move(this, { ...this.ref, cartId: result.cartId, newCart: false });
    const { cart } = result;
    const held = this.sent;
    if (held && held.cartId === cart.id && held.version >= cart.version) return null;
    this.sent = { cartId: cart.id, version: cart.version };
    return sseEvent("cart", JSON.stringify(cart), String(cart.version));
  }

  // Woken by a change: reads the cart (one read at a time; a change meanwhile reads again).
  async refresh(): Promise<void> {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        const result = await this.runtime.run(() => getCart(this.ref));
        const event = this.offer(result);
        if (event) this.write(event);
      } while (this.again && !this.closed);
    } catch (err) {
      log.debug("live cart read failed; the next change reads again", { err });
    } finally {
      this.reading = false;
    }
  }

  // After messages may have been missed: the session's end, else the cart's latest version.
  async catchUp(): Promise<void> {
    if (await this.runtime.run(() => sessionEndedInStore(this.sid))) this.rotated();
    else await this.refresh();
  }

  // The session ended (signed in or out, here or on another device): the client reconnects with its new cookie.
  rotated(): void {
    this.write(sseEvent("rotated", "{}"));
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    try {
      this.controller?.close();
    } catch {
      // already closed or cancelled by the client
    }
    this.onClose();
  }
}

// This process's streams on one channel of one pub/sub: the one subscription, and the streams by what wakes them.
class LiveHub {
  private readonly byKey = new Map<string, Set<LiveStream>>();
  private readonly bySid = new Map<string, Set<LiveStream>>();
  readonly ready: Promise<unknown>;

  constructor(
    readonly bus: PubSub,
    readonly channel: string,
  ) {
    this.ready = bus.subscribe(channel, (text) => this.receive(text));
    // Messages published while the subscriber was away are lost: every stream reads its cart
    // again, and one whose session ended meanwhile (its tombstone in the store) is rotated.
    bus.onResubscribed(() => {
      for (const streams of this.byKey.values()) for (const stream of streams) void stream.catchUp();
    });
  }

  private static add(index: Map<string, Set<LiveStream>>, key: string, stream: LiveStream) {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(stream);
  }

  private static remove(index: Map<string, Set<LiveStream>>, key: string, stream: LiveStream) {
    const set = index.get(key);
    if (!set) return;
    set.delete(stream);
    if (set.size === 0) index.delete(key);
  }

  add(stream: LiveStream): void {
    LiveHub.add(this.byKey, stream.key, stream);
    LiveHub.add(this.bySid, stream.sid, stream);
  }

  remove(stream: LiveStream): void {
    LiveHub.remove(this.byKey, stream.key, stream);
    LiveHub.remove(this.bySid, stream.sid, stream);
  }

  // A guest's cart was replaced (a successor): the stream now follows the new one.
  move(stream: LiveStream, ref: CartRef): void {
    LiveHub.remove(this.byKey, stream.key, stream);
    stream.ref = ref;
    if (!stream.closed) LiveHub.add(this.byKey, stream.key, stream);
  }

  receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if ("s" in message) {
      for (const stream of [...(this.bySid.get(message.s) ?? [])]) stream.rotated();
      return;
    }
    const woken = new Set([...(this.byKey.get(`c:${message.c}`) ?? []), ...(message.u !== null ? (this.byKey.get(`u:${message.u}`) ?? []) : [])]);
    for (const stream of woken) {
      // Already sent this version of this cart (or a later one): nothing to read.
      if (stream.sent && stream.sent.cartId === message.c && stream.sent.version >= message.v) continue;
      void stream.refresh();
    }
  }
}

// This process's hubs, one per pub/sub and channel (a closed pub/sub's are dropped with it).
const hubs = () => sharedValue("live-hubs", () => new WeakMap<PubSub, Map<string, LiveHub>>());

function hubFor(bus: PubSub, channel: string): LiveHub {
  let byChannel = hubs().get(bus);
  if (!byChannel) hubs().set(bus, (byChannel = new Map()));
  let hub = byChannel.get(channel);
  if (!hub) {
    const made = new LiveHub(bus, channel);
    byChannel.set(channel, made);
    made.ready.catch(() => {
      if (byChannel.get(channel) === made) byChannel.delete(channel);
    });
    hub = made;
  }
  return hub;
}

// Open streams per instance (its scope, in this process), against LIVE_MAX_STREAMS.
const counters = () => sharedValue("live-open", () => new Map<string, { count: number }>());

function openStreams(scope: string): { count: number } {
  let counter = counters().get(scope);
  if (!counter) counters().set(scope, (counter = { count: 0 }));
  return counter;
}

function publish(runtime: CartRuntime, message: Message): void {
  const settings = runtime.settings;
  if (settings.LIVE_MAX_STREAMS === 0) return;
  const opening = openPubSub(settings);
  if (!opening) return;
  const text = JSON.stringify(message);
  const channel = channelOf(settings);
  void opening
    .then((bus) =>
      bus.publish(channel, text).catch((err: unknown) => {
        // The other instances miss it (their streams catch up at the next change or reconnect); ours hear it now.
        log.debug("live publish failed; delivering to this instance's streams only", { err });
        hubs().get(bus)?.get(channel)?.receive(text);
      }),
    )
    .catch((err: unknown) => log.debug("live pub/sub unavailable", { err }));
}

// Publishes every instance's changes and ended sessions, once per scope in this process (the
// runtime's listeners are shared by every evaluation of one scope). The change's own instance
// (the context it was made in) names the channel and the engine.
export function publishLiveChanges(runtime: CartRuntime): void {
  // The cart_live_streams gauge: every instance's streams in this process.
  setProbe("live_streams", () => [...counters().values()].reduce((sum, c) => sum + c.count, 0));
  sharedValue(`live-publisher:${runtime.scope}`, () => {
    const changing = () => currentContext()?.runtime ?? runtime;
    runtime.onCartChanged((change) => publish(changing(), { c: change.cartId, v: change.version, u: change.userId }));
    runtime.onSessionEnded((ended) => publish(changing(), { s: ended.sid }));
    return true;
  });
}

export const LIVE_HEADERS = {
  "Content-Type": "text/event-stream",
  // no-transform: no compression (Next.js's, a proxy's) holding events back.
  "Cache-Control": "no-store, no-transform",
  "X-Accel-Buffering": "no",
} as const;

// The contract's ids are versions: a whole number, or nothing (a first connection).
function parseLastEventId(header: string | null): number | null {
  if (header === null || !/^\d{1,15}$/.test(header.trim())) return null;
  return Number(header.trim());
}

// Opens the session's live stream: the cart at once (unless Last-Event-ID names its version),
// then every change. Refused when the store cannot push (501 LIVE_UNAVAILABLE) or past
// LIVE_MAX_STREAMS (503 OVERLOADED). The stream ends when the client goes (`signal`), or
// with `rotated` when the session ends.
export async function openLiveStream(
  session: Session,
  request: { lastEventId: string | null; signal?: AbortSignal },
): Promise<{ stream: ReadableStream<Uint8Array>; cartId: string }> {
  const runtime = currentRuntime();
  const settings = env();
  const opening = settings.LIVE_MAX_STREAMS > 0 ? openPubSub(settings) : null;
  if (!opening) throw new AppError("LIVE_UNAVAILABLE", "Live carts are not available here: poll GET /api/cart with If-None-Match.");
  const open = openStreams(runtime.scope);
  if (open.count >= settings.LIVE_MAX_STREAMS) throw new AppError("OVERLOADED", "Too many live carts are open on this server. Please try again in a moment.");
  open.count += 1;
  let counted = true;
  const release = () => {
    if (counted) open.count -= 1;
    counted = false;
  };
  try {
    const hub = hubFor(await opening, channelOf(settings));
    await hub.ready;
    const stream = new LiveStream(hub, runtime, session.sid, { cartId: session.cartId, userId: session.userId, newCart: session.newCart }, () => {
      hub.remove(stream);
      release();
    });
    // Listening before the first read: a change committed meanwhile is read again, never missed.
    hub.add(stream);
    const lastEventId = parseLastEventId(request.lastEventId);
    let first: CartResult;
    try {
      first = await getCart(stream.ref);
    } catch (err) {
      stream.close();
      throw err;
    }
    // From here on the cart id is stored (or will be, by this session's first change).
    hub.move(stream, { ...stream.ref, cartId: first.cartId, newCart: false });
    // Resumed at the version it holds: nothing to send. Any other version is sent: a newer one,
    // or a lower one, which is another cart (versions of one cart only grow).
    const resumed = lastEventId === first.cart.version;
    if (resumed) stream.sent = { cartId: first.cart.id, version: first.cart.version };
    const initial = resumed ? null : stream.offer(first);
    const keepAliveMs = settings.LIVE_KEEPALIVE_SECONDS * 1000;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stream.attach(controller, [initial ?? RESUMED], keepAliveMs);
      },
      cancel() {
        stream.close();
      },
    });
    // The client went away: Next.js cancels the body it was sending (cancel above) and aborts
    // the request's signal; either ends the stream.
    if (request.signal?.aborted) stream.close();
    request.signal?.addEventListener("abort", () => stream.close(), { once: true });
    return { stream: body, cartId: first.cartId };
  } catch (err) {
    release();
    throw err;
  }
}
