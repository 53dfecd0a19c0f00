// Connections one process opens once, whatever asks for them: Next.js evaluates a host's
// cart config once per module graph (route handlers, pages, instrumentation), dev reloads
// evaluate it again, and two markets may share a database. Keyed by what identifies the
// connection (its URL or directory), never by who asked; a failed open is forgotten, so the
// next caller tries again (a database down at boot only delays the first request).
const key = Symbol.for("next-cart.shared-resources");
const holder = globalThis as { [key]?: Map<string, Promise<unknown>> };
const resources = (holder[key] ??= new Map<string, Promise<unknown>>());

export function sharedResource<T>(id: string, open: () => Promise<T>): Promise<T> {
  const existing = resources.get(id) as Promise<T> | undefined;
  if (existing) return existing;
  const opening = open();
  resources.set(id, opening);
  opening.catch(() => {
    if (resources.get(id) === opening) resources.delete(id);
  });
  return opening;
}

// Forgets a resource (after closing it), so the next caller opens a new one.
export function forgetSharedResource(id: string): Promise<unknown> | undefined {
  const existing = resources.get(id);
  resources.delete(id);
  return existing;
}

// The same for values made synchronously (a metrics registry, a logger).
const values = Symbol.for("next-cart.shared-values");
const valueHolder = globalThis as { [values]?: Map<string, unknown> };
const sharedValues = (valueHolder[values] ??= new Map<string, unknown>());

export function sharedValue<T>(id: string, make: () => T): T {
  if (!sharedValues.has(id)) sharedValues.set(id, make());
  return sharedValues.get(id) as T;
}
