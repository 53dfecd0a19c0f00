/**
 * An HTTP client with its own cookie jar: one shopper (or one device).
 */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class Shopper {
  cookies = new Map<string, string>();

  // `send` lets a suite talk HTTPS to a self-signed gateway (test/support/https.ts).
  constructor(
    readonly baseUrl: string,
    private readonly send: typeof fetch = fetch,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request<T = any>(method: string, path: string, options: { json?: unknown; body?: string | FormData; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0 && !("cookie" in headers)) headers.cookie = this.cookieHeader();
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    const res = await this.send(this.baseUrl + path, { method, headers, body, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  getCart() {
    return this.request("GET", "/api/cart");
  }
  add(productId: string, quantity?: number, headers?: Record<string, string>) {
    return this.request("POST", "/api/cart/items", { json: quantity === undefined ? { productId } : { productId, quantity }, headers });
  }
  setQuantity(productId: string, quantity: number, headers?: Record<string, string>) {
    return this.request("PATCH", `/api/cart/items/${encodeURIComponent(productId)}`, { json: { quantity }, headers });
  }
  remove(productId: string, headers?: Record<string, string>) {
    return this.request("DELETE", `/api/cart/items/${encodeURIComponent(productId)}`, { headers });
  }
  clear(headers?: Record<string, string>) {
    return this.request("DELETE", "/api/cart", { headers });
  }
}
