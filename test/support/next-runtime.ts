import { AsyncLocalStorage } from "node:async_hooks";

// What Next.js's server sets before it loads any route (next/dist/server/node-environment):
// its request scopes (next/headers) are AsyncLocalStorages made from this global when their
// modules load. Imported first by test/support/in-process-app.ts, before anything loads next/headers.
const holder = globalThis as { AsyncLocalStorage?: typeof AsyncLocalStorage };
holder.AsyncLocalStorage ??= AsyncLocalStorage;
