import { z } from "zod";
import type { ErrorCode } from "../errors";
import {
  cartSchema,
  checkoutCreatedSchema,
  checkoutEnvelopeSchema,
  cleanupResultSchema,
  dashboardStatsSchema,
  healthSchema,
  metricsTextSchema,
  openApiDocumentSchema,
  pingSchema,
  productListSchema,
  recoveryLinkSchema,
  registeredUserSchema,
  sessionInfoSchema,
} from "../cart/api-schemas";
import { registerSchema } from "../identity/schemas";
import {
  addItemFormSchema,
  addItemSchema,
  completeCheckoutSchema,
  lineIdSchema,
  noteFormSchema,
  noteSchema,
  productIdSchema,
  removeItemFormSchema,
  removeLineFormSchema,
  setLineQuantityFormSchema,
  setQuantityFormSchema,
  setQuantitySchema,
} from "../cart/schemas";

// The table of the cart's operations: every route of the HTTP contract (docs/api.md) that the
// module serves under its base path, declared once. The route handlers and server actions
// (lib/http/pipeline.ts), the OpenAPI document (lib/openapi) and the typed client (lib/client)
// are all derived from it, so the API, the UI and the documents cannot disagree. Only zod and
// the contract's schemas are imported: the client bundles this file for the browser.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

// Who may call: anyone with a session cookie (or none yet), anyone at all, or a bearer token.
export type Access = "session" | "public" | "bearer";

export interface OperationSpec {
  // The OpenAPI operationId, the typed client's method and the server action's name.
  id: string;
  method: HttpMethod;
  // Under the instance's base path; `{name}` is one path segment.
  path: string;
  tag: "Cart" | "Checkout" | "Session" | "Catalog" | "Accounts" | "Operations";
  summary: string;
  description?: string;
  access: Access;
  // Changes state: origin-checked, Idempotency-Key honoured, counted as a write.
  changesCart: boolean;
  // If-Match is checked against the cart's version.
  ifMatch?: boolean;
  // The call starts by reading the session's cart: the pipeline reads its cached copy beside the
  // session (one store round trip, lib/cart/cache.ts prefetchCachedCart).
  readsCart?: true;
  params?: z.ZodObject;
  // The JSON body (strict).
  body?: z.ZodObject;
  query?: z.ZodObject;
  // The server action's fields (form strings), when the operation is also a server action.
  form?: z.ZodObject;
  status: 200 | 201;
  output: z.ZodType;
  outputDescription: string;
  // The operation's own refusals; the pipeline's (origin, limits, body, idempotency) are added by access.
  errors: readonly ErrorCode[];
  // Answered when the process is saturated too (health and metrics: an orchestrator must see them).
  exemptFromAdmission?: boolean;
  // Statuses whose body is the output too (health's 503 "down").
  alsoOk?: readonly number[];
  // The output's media type when it is not JSON. "text/event-stream": the call answers a stream
  // (Server-Sent Events), which only a route handler can carry: no server action, no typed-client method.
  contentType?: "text/plain" | "text/event-stream";
  // The success's Cache-Control, where it is fixed.
  cacheControl?: string;
  // Whether the operation's credential (session cookie or bearer) may be absent: a first
  // visit has no cookie; metrics need no token outside production when METRICS_TOKEN is unset.
  credentials?: "optional" | "required";
}

// GET /cart/live's body: Server-Sent Events (the cart events' data is the cart object, cartSchema).
export const liveEventsSchema = z.string().meta({
  description: "Server-Sent Events: `event: cart` with `id: <version>` and `data: <the cart as JSON>`; `event: rotated` with `data: {}`; `: keep-alive` comments (and `: resumed` first when `Last-Event-ID` names the current version).",
});

const productPath = z.object({ productId: productIdSchema.meta({ description: "The product's id (SKU), percent-encoded." }) });
const linePath = z.object({ lineId: lineIdSchema.meta({ description: "The line's id (lineId in the cart object), percent-encoded." }) });
const checkoutPath = z.object({
  id: z
    .string()
    .regex(/^chk_[A-Za-z0-9_-]{22}$/, "must be a checkout id")
    .meta({ description: "The checkout's id." }),
});

// The host's order system: Authorization: Bearer CHECKOUT_SECRET, 404 when it is unset.
const checkoutBearer = {
  cacheControl: "no-store",
  tag: "Checkout",
  access: "bearer",
  changesCart: false,
  params: checkoutPath,
  status: 200,
  output: checkoutEnvelopeSchema,
} as const;

// The cleanup run, the same by POST and by GET (for schedulers that can only GET).
const cleanupRun = {
  cacheControl: "no-store",
  path: "/cron/cleanup",
  tag: "Operations",
  access: "bearer",
  changesCart: false,
  query: z.object({ dryRun: z.literal("1").optional().meta({ description: "Count only, delete nothing." }) }),
  status: 200,
  output: cleanupResultSchema,
  outputDescription: "What was deleted.",
  errors: ["UNAUTHORIZED", "NOT_FOUND"],
} as const;

export const operations = {
  getCart: {
    id: "getCart",
    readsCart: true,
    method: "GET",
    path: "/cart",
    tag: "Cart",
    summary: "The caller's cart (empty for a new visitor; sets the session cookie)",
    access: "session",
    changesCart: false,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart.",
    errors: [],
  },
  clearCart: {
    id: "clearCart",
    readsCart: true,
    method: "DELETE",
    path: "/cart",
    tag: "Cart",
    summary: "Empty the cart",
    access: "session",
    changesCart: true,
    ifMatch: true,
    form: z.object({}),
    status: 200,
    output: cartSchema,
    outputDescription: "The empty cart.",
    errors: [],
  },
  addItem: {
    id: "addItem",
    readsCart: true,
    method: "POST",
    path: "/cart/items",
    tag: "Cart",
    summary: "Add a product; the quantity adds up on an existing line",
    access: "session",
    changesCart: true,
    ifMatch: true,
    body: addItemSchema,
    form: addItemFormSchema,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart with the product added.",
    errors: ["PRODUCT_NOT_FOUND", "PRODUCT_UNAVAILABLE", "QUANTITY_LIMIT", "LINE_LIMIT"],
  },
  setItemQuantity: {
    id: "setItemQuantity",
    readsCart: true,
    method: "PATCH",
    path: "/cart/items/{productId}",
    tag: "Cart",
    summary: "Set a line's quantity (0 removes it)",
    access: "session",
    changesCart: true,
    ifMatch: true,
    params: productPath,
    body: setQuantitySchema,
    form: setQuantityFormSchema,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart with the new quantity.",
    errors: ["ITEM_NOT_FOUND", "QUANTITY_LIMIT"],
  },
  removeItem: {
    id: "removeItem",
    readsCart: true,
    method: "DELETE",
    path: "/cart/items/{productId}",
    tag: "Cart",
    summary: "Remove a line (also when it is already gone)",
    access: "session",
    changesCart: true,
    ifMatch: true,
    params: productPath,
    form: removeItemFormSchema,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart without the line.",
    errors: [],
  },
  setLineQuantity: {
    id: "setLineQuantity",
    readsCart: true,
    method: "PATCH",
    path: "/cart/lines/{lineId}",
    tag: "Cart",
    summary: "Set any line's quantity, by its lineId (0 removes it)",
    access: "session",
    changesCart: true,
    ifMatch: true,
    params: linePath,
    body: setQuantitySchema,
    form: setLineQuantityFormSchema,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart with the new quantity.",
    errors: ["ITEM_NOT_FOUND", "QUANTITY_LIMIT"],
  },
  removeLine: {
    id: "removeLine",
    readsCart: true,
    method: "DELETE",
    path: "/cart/lines/{lineId}",
    tag: "Cart",
    summary: "Remove any line, by its lineId (also when it is already gone)",
    access: "session",
    changesCart: true,
    ifMatch: true,
    params: linePath,
    form: removeLineFormSchema,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart without the line.",
    errors: [],
  },
  setNote: {
    id: "setNote",
    readsCart: true,
    method: "PUT",
    path: "/cart/note",
    tag: "Cart",
    summary: "Set the cart's note to the store (null or \"\" clears it)",
    access: "session",
    changesCart: true,
    ifMatch: true,
    body: noteSchema,
    form: noteFormSchema,
    status: 200,
    output: cartSchema,
    outputDescription: "The cart with its note.",
    errors: [],
  },
  createCheckout: {
    id: "createCheckout",
    readsCart: true,
    method: "POST",
    path: "/cart/checkout",
    tag: "Checkout",
    summary: "Hand the cart to a checkout: a snapshot of its lines on sale, priced fresh",
    description:
      "Changes nothing in the cart. While the cart's version is unchanged, a second POST answers the same open checkout. Lines no longer sold are left out and reported in notices.",
    access: "session",
    changesCart: true,
    form: z.object({}),
    status: 201,
    output: checkoutCreatedSchema,
    outputDescription: "The open checkout.",
    errors: ["CART_EMPTY"],
  },
  getCheckout: {
    id: "getCheckout",
    method: "GET",
    path: "/cart/checkout",
    tag: "Checkout",
    summary: "The caller's latest checkout",
    access: "session",
    changesCart: false,
    status: 200,
    output: checkoutEnvelopeSchema,
    outputDescription: "The checkout.",
    errors: ["CHECKOUT_NOT_FOUND"],
  },
  cancelCheckout: {
    id: "cancelCheckout",
    method: "DELETE",
    path: "/cart/checkout",
    tag: "Checkout",
    summary: "Cancel the caller's open checkout (the cart is untouched)",
    access: "session",
    changesCart: true,
    form: z.object({}),
    status: 200,
    output: checkoutEnvelopeSchema,
    outputDescription: "The cancelled checkout.",
    errors: ["CHECKOUT_NOT_FOUND", "CHECKOUT_COMPLETED"],
  },
  liveCart: {
    id: "liveCart",
    cacheControl: "no-store, no-transform",
    method: "GET",
    path: "/cart/live",
    tag: "Cart",
    summary: "The caller's cart, live: Server-Sent Events, one `cart` event at once and one per committed change, from any device",
    description:
      "Event `cart`: data is the cart (as GET /cart answers it), id its version; sent at once (unless `Last-Event-ID` names the current version: then a comment `: resumed`, and only later changes) and after every committed change of the cart the caller reaches — a signed-in user's cart from any of their devices. A comment line (`: keep-alive`) at least every 20 s. Event `rotated` (data `{}`) when the caller's session ends (a sign-in or sign-out, here or in another tab), then the stream ends: reconnect with the new cookie. `501 LIVE_UNAVAILABLE` where the store cannot push (Upstash's REST API): poll GET /cart with If-None-Match instead. `503 OVERLOADED` with Retry-After past the instance's LIVE_MAX_STREAMS.",
    access: "session",
    changesCart: false,
    status: 200,
    output: liveEventsSchema,
    contentType: "text/event-stream",
    outputDescription: "The stream of events (text/event-stream).",
    errors: ["LIVE_UNAVAILABLE"],
  },
  createRecoveryLink: {
    id: "createRecoveryLink",
    readsCart: true,
    method: "POST",
    path: "/cart/recovery-link",
    tag: "Cart",
    summary: "A signed, expiring link to a snapshot of the lines the cart holds now",
    description: "Opening the link (GET /cart/recover) changes nothing; its page's form restores a copy into the opener's cart.",
    access: "session",
    changesCart: true,
    form: z.object({}),
    status: 201,
    output: recoveryLinkSchema,
    outputDescription: "The link.",
    errors: ["CART_EMPTY"],
  },
  getSession: {
    id: "getSession",
    method: "GET",
    path: "/session",
    tag: "Session",
    summary: "Who the caller is and when the session ends",
    access: "session",
    changesCart: false,
    status: 200,
    output: sessionInfoSchema,
    outputDescription: "The session.",
    errors: [],
  },
  endSession: {
    id: "endSession",
    method: "DELETE",
    path: "/session",
    tag: "Session",
    summary: "Sign out: end the session; the device gets a new guest session",
    access: "session",
    changesCart: true,
    form: z.object({}),
    status: 200,
    output: sessionInfoSchema,
    outputDescription: "The new guest session.",
    errors: [],
  },
  listProducts: {
    id: "listProducts",
    cacheControl: "public, max-age=10",
    method: "GET",
    path: "/products",
    tag: "Catalog",
    summary: "The catalog, including products no longer sold",
    access: "public",
    changesCart: false,
    status: 200,
    output: productListSchema,
    outputDescription: "The products.",
    errors: [],
  },
  ping: {
    id: "ping",
    cacheControl: "no-store",
    method: "GET",
    path: "/ping",
    tag: "Operations",
    summary: "Liveness: fixed JSON through the whole pipeline, no backend touched",
    access: "public",
    changesCart: false,
    status: 200,
    output: pingSchema,
    outputDescription: "The instance serves requests.",
    errors: [],
  },
  getHealth: {
    id: "getHealth",
    cacheControl: "no-store",
    method: "GET",
    path: "/health",
    tag: "Operations",
    summary: '"ok", "degraded" (Redis away, or the database taking no writes: still serving) or 503 "down" (database away)',
    access: "public",
    changesCart: false,
    status: 200,
    output: healthSchema,
    outputDescription: "ok or degraded (Redis away, or the database answers but takes no writes: a failover in progress); with 503, down: the database is unreachable.",
    errors: [],
    exemptFromAdmission: true,
    alsoOk: [503],
  },
  getAdminStats: {
    id: "getAdminStats",
    credentials: "required",
    method: "GET",
    path: "/admin/stats",
    tag: "Operations",
    summary: "The operations dashboard's figures (signed-in admins only; 404 to anyone else)",
    access: "session",
    changesCart: false,
    status: 200,
    output: dashboardStatsSchema,
    outputDescription: "The figures.",
    errors: ["NOT_FOUND"],
  },
  getMetrics: {
    id: "getMetrics",
    credentials: "optional",
    cacheControl: "no-store",
    method: "GET",
    path: "/metrics",
    tag: "Operations",
    summary: "Prometheus metrics of this instance (Authorization: Bearer METRICS_TOKEN; open without one outside production)",
    access: "bearer",
    changesCart: false,
    status: 200,
    output: metricsTextSchema,
    contentType: "text/plain",
    outputDescription: "The metrics.",
    errors: ["UNAUTHORIZED", "NOT_FOUND"],
    exemptFromAdmission: true,
  },
  getOpenApiDocument: {
    id: "getOpenApiDocument",
    cacheControl: "public, max-age=300",
    method: "GET",
    path: "/openapi.json",
    tag: "Operations",
    summary: "This document",
    access: "public",
    changesCart: false,
    status: 200,
    output: openApiDocumentSchema,
    outputDescription: "The OpenAPI 3.1 document.",
    errors: [],
  },
  readCheckout: {
    ...checkoutBearer,
    id: "readCheckout",
    method: "GET",
    path: "/checkouts/{id}",
    summary: "A checkout, for the host's order system (Authorization: Bearer CHECKOUT_SECRET; 404 when CHECKOUT_SECRET is unset)",
    outputDescription: "The checkout.",
    errors: ["UNAUTHORIZED", "NOT_FOUND", "CHECKOUT_NOT_FOUND"],
  },
  completeCheckout: {
    ...checkoutBearer,
    id: "completeCheckout",
    method: "POST",
    path: "/checkouts/{id}/complete",
    summary: "Complete a checkout with the host's order id: the cart is ordered, its owner moves on to what was added since",
    description:
      "Idempotent: the same orderId again answers the same 200. Never refused for being past expiresAt. (Authorization: Bearer CHECKOUT_SECRET; 404 when CHECKOUT_SECRET is unset.)",
    body: completeCheckoutSchema,
    outputDescription: "The completed checkout.",
    errors: ["UNAUTHORIZED", "NOT_FOUND", "CHECKOUT_NOT_FOUND", "CHECKOUT_COMPLETED", "CHECKOUT_CANCELLED"],
  },
  runCleanup: {
    ...cleanupRun,
    id: "runCleanup",
    method: "POST",
    summary: "Run the cleanup job now (Authorization: Bearer CRON_SECRET; 404 when CRON_SECRET is unset)",
  },
  runCleanupGet: {
    ...cleanupRun,
    id: "runCleanupGet",
    method: "GET",
    summary: "Run the cleanup job now, for schedulers that can only GET (Vercel Cron)",
  },
} as const satisfies Record<string, OperationSpec>;

// The Auth.js integration's own operation (authjsIdentity): served by its route file, under /api/auth.
export const registerOperation = {
  id: "registerAccount",
  method: "POST",
  path: "/auth/register",
  tag: "Accounts",
  summary: "Create an account (does not sign in)",
  access: "session",
  changesCart: true,
  body: registerSchema,
  form: registerSchema,
  status: 201,
  output: registeredUserSchema,
  outputDescription: "The account.",
  errors: ["EMAIL_TAKEN", "RATE_LIMITED"],
} as const satisfies OperationSpec;

export type OperationId = keyof typeof operations;
export type Operation<K extends OperationId = OperationId> = (typeof operations)[K];

// What an operation's call receives: its path parameters and body (or form fields) together.
type Shape<T> = T extends z.ZodObject ? z.output<T> : unknown;
export type OperationInput<K extends OperationId> = Shape<Operation<K> extends { params: infer P } ? P : undefined> &
  Shape<Operation<K> extends { body: infer B } ? B : undefined>;
export type OperationOutput<K extends OperationId> = z.output<Operation<K>["output"]>;

export const operationList: readonly OperationSpec[] = Object.values(operations);

// Whether an operation answers a stream (a route handler only: not a server action, not a typed-client method).
export const isStreaming = (op: OperationSpec): boolean => op.contentType === "text/event-stream";
