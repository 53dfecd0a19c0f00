import { NextResponse, type NextRequest } from "next/server";
import { listCatalog } from "../cart/catalog";
import { isStreaming, operationList, operations, type HttpMethod, type OperationId, type OperationInput, type OperationSpec } from "../contract/operations";
import { env } from "../config/env";
import { AppError } from "../errors";
import { sharedHealth } from "../health";
import { describeSession } from "../identity/describe";
import { endSession } from "../identity/session-bridge";
import { runCleanup } from "../jobs/cleanup";
import { openApiDocument } from "../openapi/document";
import type { CartRuntime } from "../runtime/runtime";
import { addItem, clearCart, getCart, removeItem, setItemQuantity, setNote } from "../session/cart";
import { cancelCheckout, completeCheckout, createCheckout, latestCheckout, readCheckout } from "../checkout/checkouts";
import { createRecoveryLink } from "../session/recovery-link";
import { freshSession, withCart } from "../session/session";
import { openLiveStream } from "../events/live";
import { spendCreationBudget } from "./creation-budget";
import { requireAdmin } from "./admin";
import { bearerMatches } from "./bearer";
import { dashboardStats } from "./dashboard";
import { errorBody, methodNotAllowed, toErrorResponse } from "./errors";
import { metricsResponse } from "./metrics";
import { sessionAction, sessionRouteHandler, type ActionResult, type SessionCall } from "./pipeline";
import { OVERSIZED_PATH } from "./node-requests";
import { MAX_BODY_BYTES, readJsonBody, refusedBody } from "./request";
import { requestIdOf, secured, withRequestContext } from "./request-context";
import type { RequestIo } from "../session/next-cookies";

// What each operation of the table (lib/contract/operations.ts) calls. Session operations go
// through the one pipeline (lib/http/pipeline.ts) and are route handlers and server actions
// alike; the others answer a Request (they need no session) inside the same request context.

type SessionOperationId = { [K in OperationId]: (typeof operations)[K]["access"] extends "session" ? K : never }[OperationId];
type OtherOperationId = Exclude<OperationId, SessionOperationId>;

type Typed<K extends OperationId> = (context: Parameters<SessionCall>[0], input: OperationInput<K>) => ReturnType<SessionCall>;

const sessionCalls: { [K in SessionOperationId]: Typed<K> } = {
  getCart: ({ session }) => getCart(session),
  liveCart: async ({ session, headers, signal }) => {
    const { stream, cartId } = await openLiveStream(session, { lastEventId: headers.get("last-event-id"), signal });
    return { session: withCart(session, cartId), stream };
  },
  clearCart: ({ session, mutation }) => clearCart(session, mutation),
  addItem: ({ session, mutation }, input) => addItem(session, input, mutation),
  setItemQuantity: ({ session, mutation }, { productId, quantity }) => setItemQuantity(session, productId, quantity, mutation),
  removeItem: ({ session, mutation }, { productId }) => removeItem(session, productId, mutation),
  setLineQuantity: ({ session, mutation }, { lineId, quantity }) => setItemQuantity(session, lineId, quantity, mutation),
  removeLine: ({ session, mutation }, { lineId }) => removeItem(session, lineId, mutation),
  setNote: ({ session, mutation }, { note }) => setNote(session, note, mutation),
  createCheckout: async ({ session }) => {
    const { checkout, notices, cartId } = await createCheckout(session);
    return { session: withCart(session, cartId), status: 201, json: { checkout, notices } };
  },
  getCheckout: async ({ session }) => ({ session, json: { checkout: await latestCheckout(session) } }),
  cancelCheckout: async ({ session }) => ({ session, json: { checkout: await cancelCheckout(session) } }),
  createRecoveryLink: async ({ session, origin, address }) => {
    const { session: current, link } = await createRecoveryLink(session, origin, () => spendCreationBudget("link", address));
    return { session: current, status: 201, json: link };
  },
  getSession: async ({ session }) => ({ session, json: await describeSession(session) }),
  endSession: async ({ session }) => {
    await endSession(session);
    const next = freshSession();
    return { session: next, json: await describeSession(next) };
  },
  getAdminStats: async ({ session }) => {
    await requireAdmin(session);
    return { session, json: await dashboardStats() };
  },
};

// The OpenAPI document never changes while a process runs: built once per base path.
const documents = new Map<string, ReturnType<typeof openApiDocument>>();
const PONG = JSON.stringify({ ok: true });

async function cleanupRun(req: NextRequest): Promise<Response> {
  const secret = env().CRON_SECRET;
  // Without a secret there is no route to find.
  if (!secret) throw new AppError("NOT_FOUND", "Not found.");
  if (!bearerMatches(req.headers.get("authorization"), secret)) throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <CRON_SECRET>.");
  const dryRun = req.nextUrl.searchParams.get("dryRun") === "1";
  return NextResponse.json(await runCleanup({ trigger: "cron", dryRun }), { headers: { "Cache-Control": "no-store" } });
}

// /api/checkouts/*: the host's order system, with Authorization: Bearer CHECKOUT_SECRET.
function checkoutBearer(req: NextRequest): void {
  const secret = env().CHECKOUT_SECRET;
  // Without a secret there is no route to find.
  if (!secret) throw new AppError("NOT_FOUND", "Not found.");
  if (!bearerMatches(req.headers.get("authorization"), secret)) throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <CHECKOUT_SECRET>.");
}

const noStore = { headers: { "Cache-Control": "no-store" } };

type OtherCall = (req: NextRequest, runtime: CartRuntime, params: Record<string, string>) => Promise<Response>;

const otherCalls: { [K in OtherOperationId]: OtherCall } = {
  listProducts: async () => {
    const products = (await listCatalog()).map(({ id, slug, name, description, price, currency, active }) => ({ id, slug, name, description, price, currency, active }));
    return NextResponse.json({ products }, { headers: { "Cache-Control": "public, max-age=10" } });
  },
  // Fixed JSON through the whole pipeline and nothing else: a liveness probe that touches no
  // backend, and the benchmark's measure of what the pipeline itself costs.
  ping: async () => new NextResponse(PONG, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } }),
  getHealth: async () => {
    const health = await sharedHealth();
    return NextResponse.json(health, { status: health.status === "down" ? 503 : 200, headers: { "Cache-Control": "no-store" } });
  },
  getMetrics: (req) => metricsResponse(req),
  getOpenApiDocument: async (_req, runtime) => {
    let document = documents.get(runtime.basePath);
    if (!document) {
      document = openApiDocument({ basePath: runtime.basePath });
      documents.set(runtime.basePath, document);
    }
    return NextResponse.json(document, { headers: { "Cache-Control": "public, max-age=300" } });
  },
  runCleanup: cleanupRun,
  runCleanupGet: cleanupRun,
  readCheckout: async (req, _runtime, params) => {
    checkoutBearer(req);
    const { id } = operations.readCheckout.params.parse(params);
    return NextResponse.json({ checkout: await readCheckout(id) }, noStore);
  },
  completeCheckout: async (req, _runtime, params) => {
    checkoutBearer(req);
    // As the pipeline does: the body is read (415, 413, 400) before anything is validated (422).
    const { value } = await readJsonBody(req);
    const { id } = operations.completeCheckout.params.parse(params);
    const { orderId } = operations.completeCheckout.body.parse(value);
    return NextResponse.json({ checkout: await completeCheckout(id, { orderId }) }, noStore);
  },
};

function isSessionOperation(id: OperationId): id is SessionOperationId {
  return operations[id].access === "session";
}

type RouteHandler = (req: NextRequest, params: Record<string, string>) => Promise<Response>;

function handlerFor(op: OperationSpec, runtime: CartRuntime): RouteHandler {
  const id = op.id as OperationId;
  if (isSessionOperation(id)) return sessionRouteHandler(op, sessionCalls[id] as SessionCall);
  const call = otherCalls[id as OtherOperationId];
  return (req, params) =>
    withRequestContext(req, { route: runtime.basePath + op.path, admission: !op.exemptFromAdmission }, async () => {
      try {
        return await call(req, runtime, params);
      } catch (err) {
        return toErrorResponse(err);
      }
    });
}

// ---- Route handlers ---------------------------------------------------------------------

type ServedMethod = HttpMethod;

interface Route {
  segments: string[];
  methods: Map<HttpMethod, RouteHandler>;
}

function routesOf(runtime: CartRuntime): Route[] {
  const byPath = new Map<string, Route>();
  for (const op of operationList) {
    const route = byPath.get(op.path) ?? { segments: op.path.split("/"), methods: new Map() };
    route.methods.set(op.method, handlerFor(op, runtime));
    byPath.set(op.path, route);
  }
  return [...byPath.values()];
}

// A segment that is not valid percent-encoded UTF-8 is the client's mistake: 422 naming the parameter.
function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError("VALIDATION_ERROR", "The request is not valid.", [{ path: [name], message: "must be valid percent-encoded UTF-8" }]);
  }
}

function match(route: Route, path: string[]): Record<string, string> | null {
  if (route.segments.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < path.length; i += 1) {
    const want = route.segments[i]!;
    const got = path[i]!;
    if (want.startsWith("{")) {
      if (got === "") return null;
      params[want.slice(1, -1)] = got;
    } else if (want !== got) return null;
  }
  for (const [name, raw] of Object.entries(params)) params[name] = decodeSegment(raw, name);
  return params;
}

const notFound = () => NextResponse.json(errorBody("NOT_FOUND", "There is no such route."), { status: 404, headers: { "Cache-Control": "no-store" } });

// The handlers of one instance, for its catch-all route file: each request runs as that instance.
// A path the table does not know answers 404, a method it does not list 405 (with Allow), both in the contract's shape.
export function routeHandlers(runtime: CartRuntime): Record<ServedMethod, (req: NextRequest) => Promise<Response>> {
  const basePath = runtime.basePath;
  const routes = routesOf(runtime);
  const dispatch = async (method: ServedMethod, req: NextRequest): Promise<Response> => {
    const pathname = req.nextUrl.pathname;
    if (!pathname.startsWith(`${basePath}/`)) return notFound();
    const rest = pathname.slice(basePath.length).replace(/\/$/, "") || "/";
    // A server action over the body limit, sent here unread (lib/http/node-requests.ts).
    if (rest === OVERSIZED_PATH) return toErrorResponse(await refusedBody(req, MAX_BODY_BYTES));
    const path = rest.split("/");
    for (const route of routes) {
      let params: Record<string, string> | null;
      try {
        params = match(route, path);
      } catch (err) {
        return toErrorResponse(err);
      }
      if (!params) continue;
      const handler = route.methods.get(method);
      if (!handler) return methodNotAllowed(...route.methods.keys()).PUT(req);
      return handler(req, params);
    }
    return notFound();
  };
  // Each request enters the instance once, with its id (lib/http/request-context.ts reuses it).
  const trustProxy = runtime.settings.TRUST_PROXY > 0;
  // Every answer (a 404 or 405 of no route too) carries the security headers (lib/http/security-headers.ts).
  const serve = (method: ServedMethod) => (req: NextRequest) =>
    runtime.run(async () => secured(req, await dispatch(method, req)), requestIdOf(req.headers, trustProxy));
  return { GET: serve("GET"), POST: serve("POST"), PUT: serve("PUT"), PATCH: serve("PATCH"), DELETE: serve("DELETE") };
}

// ---- Server actions ---------------------------------------------------------------------

// Every session operation of the table as a server action (FormData → its state), named by operation id.
// A streaming operation (GET /cart/live) has none: a form cannot hold a stream open.
type ActionOperationId = { [K in SessionOperationId]: (typeof operations)[K] extends { contentType: "text/event-stream" } ? never : K }[SessionOperationId];
export type SessionActions = { [K in ActionOperationId]: (formData: FormData) => Promise<ActionResult> };

export function sessionActions(io?: RequestIo): SessionActions {
  const actions = {} as Record<string, (formData: FormData) => Promise<ActionResult>>;
  for (const id of Object.keys(sessionCalls) as SessionOperationId[]) {
    if (!isStreaming(operations[id])) actions[id] = sessionAction(operations[id], sessionCalls[id] as SessionCall, io);
  }
  return actions as SessionActions;
}
