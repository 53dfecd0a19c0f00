import { NextRequest } from "next/server";
import type { Cart } from "@/lib/server";
import type { RequestIo } from "@/lib/session/next-cookies";

/**
 * One shopper's browser talking to instances of the module in the test's own process: a
 * cookie jar, route handlers called with real Requests (as Next.js calls them), and the same
 * jar as the request scope of server actions and sign-in hooks (RequestIo).
 */
export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly origin = "http://shop.test") {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  // A route handler of `cart` (its catch-all route's export for the method), as Next.js would call it.
  async call<T = any>(cart: Cart, method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { host: new URL(this.origin).host, ...options.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    if (options.json !== undefined) headers["content-type"] ??= "application/json";
    const req = new NextRequest(this.origin + path, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) });
    const res = await cart.handlers[method](req);
    this.keep(res.headers);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the text itself
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }

  // The request scope of a server action or sign-in hook: this browser's headers and cookie jar.
  io(extraHeaders: Record<string, string> = {}): RequestIo {
    return {
      headers: async () => new Headers({ host: new URL(this.origin).host, origin: this.origin, cookie: this.cookieHeader(), ...extraHeaders }),
      cookie: async (name) => this.cookies.get(name),
      setCookie: async (name, value) => {
        this.cookies.set(name, value);
      },
    };
  }
}

export function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}
