import { AsyncLocalStorage } from "node:async_hooks";

// What every log line of one request shares, kept for the request's async
// work: pino's mixin() is synchronous, so it reads this instead of headers().
export interface LogContext {
  requestId: string;
}

// One store per process: Next.js bundles route handlers, pages and instrumentation as separate
// module graphs, and a line logged from any of them must see the request's context.
const key = Symbol.for("next-cart.log-context");
const holder = globalThis as { [key]?: AsyncLocalStorage<LogContext> };
const storage = (holder[key] ??= new AsyncLocalStorage<LogContext>());

export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
