import "./next-runtime";
import { createRequire } from "node:module";

/**
 * Next.js's request scope, as `next start` gives a route handler or a server action: what
 * `cookies()` and `headers()` (next/headers) read, and where `cookies().set()` writes (Next.js
 * adds those to the answer, as `setCookies` does here). The stores are made by Next.js's own
 * functions, the ones its app-route module calls (next/dist/server/route-modules/app-route).
 */
const require = createRequire(import.meta.url);
const { workAsyncStorage } = require("next/dist/server/app-render/work-async-storage.external.js");
const { workUnitAsyncStorage } = require("next/dist/server/app-render/work-unit-async-storage.external.js");
const { createRequestStoreForAPI } = require("next/dist/server/async-storage/request-store.js");
const { createWorkStore } = require("next/dist/server/async-storage/work-store.js");
const { appendMutableCookies } = require("next/dist/server/web/spec-extension/adapters/request-cookies.js");

export type Scoped<T> = ({ ok: true; value: T } | { ok: false; error: unknown }) & {
  // Adds the cookies set in the scope to a response's headers, as Next.js does (also after a throw: a redirect's).
  setCookies(target: Headers): void;
};

export async function inRequestScope<T>(url: URL, headers: Headers, fn: () => Promise<T>): Promise<Scoped<T>> {
  const request = createRequestStoreForAPI({ headers }, url, { tags: [], expirationsByCacheKind: new Map() }, undefined, undefined, undefined);
  const work = createWorkStore({ page: url.pathname, renderOpts: { experimental: {} }, isPrefetchRequest: false, buildId: "in-process", previouslyRevalidatedTags: [] });
  const setCookies = (target: Headers) => void appendMutableCookies(target, request.mutableCookies);
  try {
    return { ok: true, value: await workAsyncStorage.run(work, () => workUnitAsyncStorage.run(request, fn)), setCookies };
  } catch (error) {
    return { ok: false, error, setCookies };
  }
}
