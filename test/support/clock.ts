/**
 * An instance's clock for tests (createCart({ now })): real time from a point the test sets,
 * or frozen there. The module reads it wherever it decides by time: rate-limit and recovery-link
 * windows, sign-in locks, the guest-cart window, session lifetimes (idle, absolute, revalidation,
 * rotation grace), recovery links' expiry (the restore's check too), lines' and events' times.
 * What expires on its own (the stores' TTLs, the cookie's Max-Age, caches) runs on wall time, as
 * Redis and the browser do.
 */
const MINUTE = 60_000;

export class TestClock {
  private at = Date.now();
  private since = Date.now();
  private running = true;

  // For createCart({ now }).
  readonly now = (): number => (this.running ? this.at + (Date.now() - this.since) : this.at);

  // Goes on from `at` (default: where it is), in real time.
  run(at = this.now()): void {
    this.at = at;
    this.since = Date.now();
    this.running = true;
  }

  // Stops at `at` (default: where it is) until run() or another freeze.
  freeze(at = this.now()): void {
    this.at = at;
    this.running = false;
  }

  // Moves to `at`, running or frozen as it was.
  set(at: number): void {
    if (this.running) this.run(at);
    else this.freeze(at);
  }

  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  // The start of a fixed minute (the limits' window) that nothing has counted in yet: the next one.
  freshWindow(): number {
    const start = (Math.floor(this.now() / MINUTE) + 1) * MINUTE;
    this.set(start);
    return start;
  }

  // A fresh minute with `ms` left in it.
  windowWithLeft(ms: number): number {
    const at = this.freshWindow() + MINUTE - ms;
    this.set(at);
    return at;
  }
}
