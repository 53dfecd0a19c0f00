import { AsyncLocalStorage } from "node:async_hooks";

// What Next.js's server sets before it loads any route (next/dist/server/node-environment):
// its request scopes (next/headers) are AsyncLocalStorages made from this global when their
// modules load. A setup file of the unit and integration projects (vitest.config.mts: their files
// share modules, so whichever file loads next/headers first must find it), and imported first by
// test/support/in-process-app.ts for a file run on its own config.
const holder = globalThis as { AsyncLocalStorage?: typeof AsyncLocalStorage };
holder.AsyncLocalStorage ??= AsyncLocalStorage;
