import { z } from "zod";
import {
  errorBodySchema,
  versionConflictSchema,
  type ApiCart,
  type ApiProduct,
  type ApiRecoveryLink,
  type ApiSessionInfo,
  type healthSchema,
  type ApiCheckout,
  type checkoutCreatedSchema,
} from "../cart/api-schemas";
import type { addItemSchema } from "../cart/schemas";
import { operations, type HttpMethod, type OperationSpec } from "../contract/operations";
import { CookieJar } from "./cookie-jar";
import { CartApiError } from "./errors";
import { DEFAULT_RETRY, parseRetryAfter, retryReason, sleep, waitFor, type RetryInfo, type RetryPolicy, type RetryReason } from "./retry";

// The typed fetch client of the HTTP contract (docs/api.md), for the browser
// and Node. Each method is an operation of the table (lib/contract/operations.ts):
// its HTTP method, path and output schema come from there, as the routes' and the
// OpenAPI document's do. Every answer is parsed with the operation's output schema;
// every failure is a CartApiError. Nothing here is server-only:
// test/unit/client-bundle.test.ts bundles it for the browser.

export interface CartClientOptions {
  // Where the app is, e.g. "https://shop.example" (paths are appended: /api/cart...).
  baseUrl: string;
  // The cart's routes' base path on that app (createCart's basePath). Default "/api".
  basePath?: string;
  fetch?: typeof fetch;
  // "browser": the browser's cookie store (credentials: "include"). "jar": the client keeps
  // Set-Cookie and sends Cookie itself (Node). Default: "browser" where there is a document, else "jar".
  cookies?: "browser" | "jar";
  // Sent with every request (e.g. an Authorization header for a gateway).
  headers?: Record<string, string> | (() => Record<string, string>);
  retry?: Partial<RetryPolicy>;
  // Called before each wait, so a UI can say "Busy — retrying…".
  onRetry?: (info: RetryInfo) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface MutationCallOptions extends CallOptions {
  // The cart version this change expects (If-Match); a stale one throws VERSION_CONFLICT with the current cart.
  ifMatch?: number;
  // Reused on every retry of this call; made for each call when absent.
  idempotencyKey?: string;
}

export type AddItemRequest = z.input<typeof addItemSchema>;

export interface CartClient {
  getCart(options?: CallOptions): Promise<ApiCart>;
  addItem(item: AddItemRequest, options?: MutationCallOptions): Promise<ApiCart>;
  setQuantity(productId: string, quantity: number, options?: MutationCallOptions): Promise<ApiCart>;
  removeItem(productId: string, options?: MutationCallOptions): Promise<ApiCart>;
  // Any line, by its lineId (a line with properties too).
  setLineQuantity(lineId: string, quantity: number, options?: MutationCallOptions): Promise<ApiCart>;
  removeLine(lineId: string, options?: MutationCallOptions): Promise<ApiCart>;
  // The cart's note; null or "" clears it.
  setNote(note: string | null, options?: MutationCallOptions): Promise<ApiCart>;
  clear(options?: MutationCallOptions): Promise<ApiCart>;
  // The checkout handoff: start (the same open checkout while the cart is unchanged), read the latest, cancel.
  createCheckout(options?: MutationCallOptions): Promise<z.output<typeof checkoutCreatedSchema>>;
  getCheckout(options?: CallOptions): Promise<ApiCheckout>;
  cancelCheckout(options?: MutationCallOptions): Promise<ApiCheckout>;
  createRecoveryLink(options?: MutationCallOptions): Promise<ApiRecoveryLink>;
  getSession(options?: CallOptions): Promise<ApiSessionInfo>;
  endSession(options?: MutationCallOptions): Promise<ApiSessionInfo>;
  listProducts(options?: CallOptions): Promise<ApiProduct[]>;
  // 200 (ok, degraded) and 503 (down) both answer with the health body.
  health(options?: CallOptions): Promise<z.infer<typeof healthSchema>>;
  // The jar in "jar" mode (null in "browser" mode): to inspect, share or clear the session cookie.
  readonly jar: CookieJar | null;
}

interface Call<S extends z.core.$ZodType = z.core.$ZodType> {
  method: HttpMethod;
  path: string;
  body?: unknown;
  schema: S;
  // Statuses whose body is the result rather than an error (health's 503).
  okStatuses?: readonly number[];
  options?: MutationCallOptions;
}

// The contract's error body, with any code: a newer server's code still reaches the caller.
const errorSchema = errorBodySchema().shape.error.extend({ code: z.string().min(1) });

export function createCartClient(options: CartClientOptions): CartClient {
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const mode = options.cookies ?? (typeof document === "undefined" ? "jar" : "browser");
  const jar = mode === "jar" ? new CookieJar() : null;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const base = options.baseUrl.replace(/\/+$/, "");

  function headersFor(call: Call, key: string | null): Headers {
    const shared = typeof options.headers === "function" ? options.headers() : options.headers;
    const headers = new Headers({ accept: "application/json", ...shared, ...call.options?.headers });
    if (call.body !== undefined) headers.set("content-type", "application/json");
    if (key !== null) headers.set("idempotency-key", key);
    if (call.options?.ifMatch !== undefined) headers.set("if-match", `"${call.options.ifMatch}"`);
    const cookie = jar?.header();
    if (cookie) headers.set("cookie", cookie);
    return headers;
  }

  async function request<S extends z.core.$ZodType>(call: Call<S>): Promise<z.output<S>> {
    const signal = call.options?.signal;
    const key = call.method === "GET" ? null : (call.options?.idempotencyKey ?? newIdempotencyKey());
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    for (let attempt = 1; ; attempt += 1) {
      let res: Response;
      try {
        res = await send(base + call.path, {
          method: call.method,
          headers: headersFor(call, key),
          body,
          signal,
          credentials: mode === "browser" ? "include" : "omit",
          redirect: "manual",
        });
      } catch (err) {
        if (signal?.aborted || attempt >= policy.attempts) throw err;
        await pause(call, attempt, "network", null, null, signal);
        continue;
      }
      jar?.store(res.headers);
      if (res.ok || call.okStatuses?.includes(res.status)) return parseResult(res, call.schema);
      const error = await toError(res);
      const reason = retryReason(error.status, error.code);
      const waitMs = reason === null ? 0 : waitFor(reason, error.retryAfter, attempt);
      if (reason === null || attempt >= policy.attempts || waitMs > policy.maxWaitMs) throw error;
      await pause(call, attempt, reason, error, waitMs, signal);
    }
  }

  async function pause(call: Call, attempt: number, reason: RetryReason, error: CartApiError | null, waitMs: number | null, signal?: AbortSignal) {
    const ms = waitMs ?? waitFor(reason, null, attempt);
    options.onRetry?.({ method: call.method, path: call.path, attempt, waitMs: ms, reason, status: error?.status ?? null, code: error?.code ?? null });
    await sleep(ms, signal);
  }

  const apiBase = (options.basePath ?? "/api").replace(/\/+$/, "");

  // One call of the table's operation: its method, its path with the parameters filled in
  // (percent-encoded), its output schema, and the statuses that answer with that output too.
  function call<Op extends OperationSpec>(op: Op, input: CallInput<Op>, o: MutationCallOptions | undefined): Promise<z.output<Op["output"]>> {
    const params: Record<string, unknown> = input.params ?? {};
    const path = apiBase + op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name] ?? "")));
    return request<Op["output"]>({ method: op.method, path, body: input.body, schema: op.output, okStatuses: op.alsoOk, options: o });
  }

  return {
    jar,
    getCart: (o) => call(operations.getCart, {}, o),
    addItem: (line, o) => call(operations.addItem, { body: line }, o),
    setQuantity: (productId, quantity, o) => call(operations.setItemQuantity, { params: { productId }, body: { quantity } }, o),
    removeItem: (productId, o) => call(operations.removeItem, { params: { productId } }, o),
    setLineQuantity: (lineId, quantity, o) => call(operations.setLineQuantity, { params: { lineId }, body: { quantity } }, o),
    removeLine: (lineId, o) => call(operations.removeLine, { params: { lineId } }, o),
    setNote: (note, o) => call(operations.setNote, { body: { note } }, o),
    createCheckout: (o) => call(operations.createCheckout, {}, o),
    getCheckout: async (o) => (await call(operations.getCheckout, {}, o)).checkout,
    cancelCheckout: async (o) => (await call(operations.cancelCheckout, {}, o)).checkout,
    clear: (o) => call(operations.clearCart, {}, o),
    createRecoveryLink: (o) => call(operations.createRecoveryLink, {}, o),
    getSession: (o) => call(operations.getSession, {}, o),
    endSession: (o) => call(operations.endSession, {}, o),
    listProducts: async (o) => (await call(operations.listProducts, {}, o)).products,
    health: (o) => call(operations.getHealth, {}, o),
  };
}

// What a call of an operation sends: its path parameters and its JSON body, typed by the table's schemas.
type CallInput<Op> = (Op extends { params: infer P extends z.ZodObject } ? { params: z.input<P> } : { params?: undefined }) &
  (Op extends { body: infer B extends z.ZodObject } ? { body: z.input<B> } : { body?: undefined });

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return undefined;
  }
}

async function parseResult<S extends z.core.$ZodType>(res: Response, schema: S): Promise<z.output<S>> {
  const parsed = z.safeParse(schema, await readJson(res));
  if (parsed.success) return parsed.data;
  throw new CartApiError({
    status: res.status,
    code: "UNEXPECTED_RESPONSE",
    message: "The answer does not match the API's schema.",
    details: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    requestId: res.headers.get("x-request-id"),
  });
}

async function toError(res: Response): Promise<CartApiError> {
  const body = await readJson(res);
  const common = { status: res.status, requestId: res.headers.get("x-request-id"), retryAfter: parseRetryAfter(res.headers.get("retry-after")) };
  const conflict = versionConflictSchema.safeParse(body);
  if (conflict.success) return new CartApiError({ ...common, code: "VERSION_CONFLICT", message: conflict.data.error.message, cart: conflict.data.cart });
  const error = (body as { error?: unknown } | null | undefined)?.error;
  const parsed = errorSchema.safeParse(error);
  if (parsed.success) return new CartApiError({ ...common, code: parsed.data.code, message: parsed.data.message, details: parsed.data.details });
  return new CartApiError({ ...common, code: "UNEXPECTED_RESPONSE", message: `The server answered ${res.status} outside the API's error shape.` });
}

// crypto.randomUUID needs a secure context in browsers; getRandomValues does not.
function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
