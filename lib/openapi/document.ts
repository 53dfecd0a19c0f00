import { z } from "zod";
import { createDocument, type oas31, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { registerSchema } from "../identity/schemas";
import {
  cartSchema,
  cleanupResultSchema,
  errorBody,
  healthSchema,
  productListSchema,
  recoveryLinkSchema,
  registeredUserSchema,
  sessionInfoSchema,
} from "../cart/api-schemas";
import { addItemSchema, productIdSchema, setQuantitySchema } from "../cart/schemas";
import type { ErrorCode } from "../errors";
import {
  ANY_ROUTE,
  cartHeaders,
  errorResponses,
  JSON_BODY,
  jsonResponse,
  MUTATION,
  mutationParams,
  requestIdHeader,
  SESSION_ROUTE,
  sessionHeaders,
  versionConflictResponse,
} from "./responses";

// The OpenAPI 3.1 document of the HTTP contract (docs/api.md), built from the
// same zod schemas the routes parse with and the client reads with. Pure: no
// I/O, the same document every call. test/integration/openapi.test.ts holds it
// against the running app.

const jsonBody = (schema: z.ZodType) => ({ required: true, content: { "application/json": { schema } } });

interface CartOperation {
  summary: string;
  description?: string;
  mutation?: boolean;
  ifMatch?: boolean;
  body?: z.ZodType;
  path?: z.ZodObject;
  errors?: ErrorCode[];
}

// A cart or session route behind the one session-route wrapper: its headers and the errors it adds.
function cartOperation(tag: string, op: CartOperation, success: ZodOpenApiOperationObject["responses"]): ZodOpenApiOperationObject {
  const codes = [...(op.mutation ? MUTATION : SESSION_ROUTE), ...(op.body ? JSON_BODY : []), ...(op.errors ?? [])];
  return {
    tags: [tag],
    summary: op.summary,
    description: op.description,
    requestParams: { ...(op.mutation ? mutationParams({ ifMatch: op.ifMatch ?? false }) : {}), ...(op.path ? { path: op.path } : {}) },
    requestBody: op.body ? jsonBody(op.body) : undefined,
    responses: { ...success, ...errorResponses(codes), ...(op.ifMatch ? { "412": versionConflictResponse } : {}) },
  };
}

const cartOk = (description: string) => ({ "200": jsonResponse(description, cartSchema, cartHeaders()) });
const productPath = z.object({ productId: productIdSchema.meta({ description: "The product's id (SKU), percent-encoded." }) });

const redirect = (description: string) => ({
  description,
  headers: z.object({ Location: z.string().meta({ description: "Where the browser goes next." }), "X-Request-Id": requestIdHeader }),
});
const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const bearer = [{ bearer: [] }];

function paths(): ZodOpenApiPathsObject {
  return {
    "/api/products": {
      get: {
        tags: ["Catalog"],
        summary: "The catalog, including products no longer sold",
        responses: {
          "200": jsonResponse("The products.", productListSchema, { "Cache-Control": z.literal("public, max-age=10") }),
          ...errorResponses(ANY_ROUTE),
        },
      },
    },
    "/api/cart": {
      get: cartOperation("Cart", { summary: "The caller's cart (empty for a new visitor; sets the session cookie)" }, cartOk("The cart.")),
      delete: cartOperation("Cart", { summary: "Empty the cart", mutation: true, ifMatch: true }, cartOk("The empty cart.")),
    },
    "/api/cart/items": {
      post: cartOperation(
        "Cart",
        {
          summary: "Add a product; the quantity adds up on an existing line",
          mutation: true,
          ifMatch: true,
          body: addItemSchema,
          errors: ["PRODUCT_NOT_FOUND", "PRODUCT_UNAVAILABLE", "QUANTITY_LIMIT", "LINE_LIMIT"],
        },
        cartOk("The cart with the product added."),
      ),
    },
    "/api/cart/items/{productId}": {
      patch: cartOperation(
        "Cart",
        {
          summary: "Set a line's quantity (0 removes it)",
          mutation: true,
          ifMatch: true,
          body: setQuantitySchema,
          path: productPath,
          errors: ["ITEM_NOT_FOUND", "QUANTITY_LIMIT"],
        },
        cartOk("The cart with the new quantity."),
      ),
      delete: cartOperation(
        "Cart",
        { summary: "Remove a line (also when it is already gone)", mutation: true, ifMatch: true, path: productPath },
        cartOk("The cart without the line."),
      ),
    },
    "/api/cart/recovery-link": {
      post: cartOperation(
        "Cart",
        {
          summary: "A signed, expiring link to a snapshot of the lines the cart holds now",
          description: "Opening the link (GET /cart/recover) changes nothing; its page's form restores a copy into the opener's cart.",
          mutation: true,
          errors: ["CART_EMPTY"],
        },
        { "201": jsonResponse("The link.", recoveryLinkSchema, sessionHeaders()) },
      ),
    },
    "/api/session": {
      get: cartOperation("Session", { summary: "Who the caller is and when the session ends" }, {
        "200": jsonResponse("The session.", sessionInfoSchema, sessionHeaders()),
      }),
      delete: cartOperation("Session", { summary: "Sign out: end the session; the device gets a new guest session", mutation: true }, {
        "200": jsonResponse("The new guest session.", sessionInfoSchema, sessionHeaders()),
      }),
    },
    "/api/auth/register": {
      post: cartOperation(
        "Accounts",
        { summary: "Create an account (does not sign in)", mutation: true, body: registerSchema, errors: ["EMAIL_TAKEN"] },
        { "201": jsonResponse("The account.", registeredUserSchema, sessionHeaders()) },
      ),
    },
    "/api/auth/csrf": {
      get: {
        tags: ["Accounts"],
        summary: "Auth.js: the CSRF token its sign-in and sign-out forms need",
        responses: { "200": jsonResponse("The token.", z.object({ csrfToken: z.string() })) },
      },
    },
    "/api/auth/callback/credentials": {
      post: {
        tags: ["Accounts"],
        summary: "Auth.js: sign in with email and password",
        requestBody: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: z.object({ email: z.string(), password: z.string(), csrfToken: z.string() }) } },
        },
        responses: {
          "302": redirect("Signed in (Set-Cookie), or back to the sign-in page with an error."),
          ...errorResponses(["RATE_LIMITED", "PAYLOAD_TOO_LARGE", "OVERLOADED"]),
        },
      },
    },
    "/api/auth/signout": {
      post: {
        tags: ["Accounts"],
        summary: "Auth.js: sign out (our code ends the session whether or not Auth.js can read its token)",
        requestBody: { required: true, content: { "application/x-www-form-urlencoded": { schema: z.object({ csrfToken: z.string() }) } } },
        responses: { "302": redirect("Signed out; the device gets a new guest session."), ...errorResponses(["PAYLOAD_TOO_LARGE"]) },
      },
    },
    "/api/health": {
      get: {
        tags: ["Operations"],
        summary: '"ok", "degraded" (Redis away, still serving) or 503 "down" (database away)',
        responses: {
          "200": jsonResponse("ok or degraded.", healthSchema, { "Cache-Control": z.literal("no-store") }),
          "503": jsonResponse("down: the database is unreachable.", healthSchema, { "Cache-Control": z.literal("no-store") }),
        },
      },
    },
    "/api/metrics": {
      get: {
        tags: ["Operations"],
        summary: "Prometheus metrics of this instance",
        security: [{}, ...bearer],
        responses: {
          "200": { description: "Prometheus text exposition.", content: { "text/plain": { schema: z.string() } } },
          ...errorResponses(["UNAUTHORIZED"]),
        },
      },
    },
    "/api/cron/cleanup": {
      get: cleanupOperation("Run the cleanup job now"),
      post: cleanupOperation("Run the cleanup job now"),
    },
    "/api/openapi.json": {
      get: {
        tags: ["Operations"],
        summary: "This document",
        responses: { "200": { description: "The OpenAPI 3.1 document.", content: { "application/json": { schema: z.looseObject({ openapi: z.string() }) } } } },
      },
    },
    "/docs/api": {
      get: { tags: ["Pages"], summary: "The readable reference of this document (served by the app, works offline)", responses: { "200": html("The page.") } },
    },
    "/cart/recover": {
      get: {
        tags: ["Pages"],
        summary: "The recovery page: lists the link's lines with an “Add to my cart” form; changes nothing",
        requestParams: { query: z.object({ token: z.string().max(2048).optional() }) },
        responses: {
          "200": html("The page."),
          "307": { ...redirect("An invalid, expired or used-up link: to /cart/recover/failed?reason=…"), content: { "text/html": { schema: z.string() } } },
        },
      },
    },
    "/cart/recover/confirm": {
      post: {
        tags: ["Pages"],
        summary: "The recovery page's form: restore the link's lines into the opener's cart",
        requestBody: { required: true, content: { "application/x-www-form-urlencoded": { schema: z.object({ token: z.string() }) } } },
        responses: {
          "303": redirect("To /cart?restored=1 (or again, none), to the failure page, or to the busy page over the limit."),
          ...errorResponses(["FORBIDDEN_ORIGIN", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"]),
        },
      },
    },
  };
}

function cleanupOperation(summary: string): ZodOpenApiOperationObject {
  return {
    tags: ["Operations"],
    summary,
    security: bearer,
    requestParams: { query: z.object({ dryRun: z.literal("1").optional().meta({ description: "Count only, delete nothing." }) }) },
    responses: {
      "200": jsonResponse("What was deleted.", cleanupResultSchema, { "Cache-Control": z.literal("no-store") }),
      ...errorResponses(["UNAUTHORIZED", "NOT_FOUND", ...ANY_ROUTE]),
    },
  };
}

const DESCRIPTION = `The cart HTTP API (contract v1.1, docs/api.md). JSON in and out; money in minor units;
the caller is identified only by the sealed session cookie. Every error has the body
\`{"error": {"code", "message", "details"?}}\`; every response carries \`X-Request-Id\`.
State-changing requests from another origin get \`403 FORBIDDEN_ORIGIN\`.`;

export function openApiDocument(options: { basePath?: string } = {}): oas31.OpenAPIObject {
  void options;
  return createDocument({
    openapi: "3.1.0",
    info: { title: "next-cart", version: "1.1.0", description: DESCRIPTION },
    servers: [{ url: "/" }],
    tags: [
      { name: "Cart", description: "The caller's cart. Every cart answer carries ETag and Cache-Control: no-store." },
      { name: "Session" },
      { name: "Catalog" },
      { name: "Accounts" },
      { name: "Operations" },
      { name: "Pages", description: "Browser pages the contract names: not JSON." },
    ],
    paths: paths(),
    components: {
      schemas: { Error: errorBody },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "METRICS_TOKEN for /api/metrics, CRON_SECRET for /api/cron/cleanup." },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "cart_session",
          description: "The sealed session cookie the app sets (`__Host-cart_session` when the cookie is Secure); it identifies, it does not authorise alone.",
        },
      },
    },
  });
}
