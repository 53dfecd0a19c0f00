import { AsyncLocalStorage } from "node:async_hooks";
import type { CartSnapshot } from "../cart/types";
import type { CartRuntime } from "./runtime";

// What one request (or one job run) of one instance shares: the instance that serves it and,
// while serving a request, its id for every log line. Every entry point of an instance (route
// handlers, server actions, render reads, sign-in hooks, jobs) runs inside `runInContext`, so
// the module's code below reads its instance from here instead of from module-level state, and
// two instances (two markets) in one process never see each other's settings or connections.
export interface RequestContext {
  runtime: CartRuntime;
  requestId?: string;
  // Reads of carts' cached copies started early in this request (lib/cart/cache.ts prefetchCachedCart).
  cartReads?: Map<string, Promise<CartSnapshot | null>>;
}

// One store per process: Next.js bundles route handlers, pages and instrumentation as separate
// module graphs, and code in any of them must see the context its entry point set.
const key = Symbol.for("next-cart.request-context");
const holder = globalThis as { [key]?: AsyncLocalStorage<RequestContext> };
const storage = (holder[key] ??= new AsyncLocalStorage<RequestContext>());

export function runInContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

// The instance serving the current call; only the module's own entry points set one.
export function currentRuntime(): CartRuntime {
  const context = storage.getStore();
  if (!context) throw new Error("next-cart: called outside a cart instance (use the functions createCart() returns)");
  return context.runtime;
}
