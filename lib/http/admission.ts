import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { env } from "../config/env";
import { recordRejection, setProbe } from "../observe/metrics";
import { errorBody } from "./errors";

// Admission control inside the app, for deployments with no gateway in front (Vercel, one
// `next start`): past ADMISSION_MAX_IN_FLIGHT requests at once, or while the event loop runs
// ADMISSION_MAX_EVENT_LOOP_DELAY_MS late, a request is refused with 503 OVERLOADED before any
// session, Redis or Postgres work. The in-flight limit bounds the queue in front of the
// database pool; the delay limit notices a process whose CPU is saturated by anything.
// Node's own perf_hooks histogram is used: no library does less or is better kept.

// Short windows, so a burst that has passed stops shedding within a fraction of a second.
const WINDOW_MS = 250;
const RETRY_AFTER_SECONDS = "1";

interface AdmissionState {
  inFlight: number;
  // The worst delay of the last window, and of the one before.
  delayMs: number;
  previousDelayMs: number;
  histogram?: IntervalHistogram;
  timer?: NodeJS.Timeout;
}

// On globalThis, as the metrics registry is: route handlers are several module graphs in one process.
const STATE = Symbol.for("next-cart.admission");
const state = ((globalThis as unknown as { [STATE]?: AdmissionState })[STATE] ??= { inFlight: 0, delayMs: 0, previousDelayMs: 0 });

function watchEventLoop(): void {
  if (state.histogram) return;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  state.histogram = histogram;
  // The worst delay of each window, not an average that a long stall would hide in.
  state.timer = setInterval(() => {
    state.previousDelayMs = state.delayMs;
    state.delayMs = histogram.max / 1e6;
    histogram.reset();
  }, WINDOW_MS);
  state.timer.unref();
  setProbe("admission_in_flight", () => state.inFlight);
  setProbe("event_loop_delay_seconds", () => state.delayMs / 1000);
}

// The contract's refusal, for either transport to send.
export function overloadedError(): { body: ReturnType<typeof errorBody>; retryAfter: string } {
  return { body: errorBody("OVERLOADED", "The shop is busy right now. Please try again in a second."), retryAfter: RETRY_AFTER_SECONDS };
}

// Which limit a request would break now, if any.
function pastLimit(): "in_flight" | "event_loop" | null {
  const { ADMISSION_MAX_IN_FLIGHT: maxInFlight, ADMISSION_MAX_EVENT_LOOP_DELAY_MS: maxDelay } = env();
  if (maxInFlight > 0 && state.inFlight >= maxInFlight) return "in_flight";
  if (maxDelay > 0) {
    watchEventLoop();
    // Late in two windows running: a saturated process. One stall alone (a route's first
    // compile, a GC pause) passes; shedding on it would refuse a fresh instance's first requests.
    if (state.delayMs > maxDelay && state.previousDelayMs > maxDelay) return "event_loop";
  }
  return null;
}

// Runs `run` if the process can take it, counted in flight until it answers; otherwise `refuse()`.
export async function admit<R>(run: () => Promise<R>, refuse: () => R | Promise<R>): Promise<R> {
  const limit = pastLimit();
  if (limit) {
    recordRejection("overload", limit);
    return refuse();
  }
  state.inFlight += 1;
  try {
    return await run();
  } finally {
    state.inFlight -= 1;
  }
}
