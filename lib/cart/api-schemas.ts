import { z } from "zod";
import { errorStatus, type ErrorCode } from "../errors";
import type { CartLineView, CartNotice, CartView } from "./types";

// The response shapes of the HTTP contract (docs/api.md), next to the request
// schemas in ./schemas.ts. The OpenAPI document (lib/openapi) and the typed
// client (lib/client) both read them, so the two cannot drift. Only zod is
// imported: the client bundles this file for the browser.
//
// Objects are z.object, not strict: a client parsing a newer server's answer
// drops fields it does not know instead of failing (the contract only ever adds).

const money = z.number().int().meta({ description: "An amount in minor units (cents)." });
const isoTime = z.string().meta({ description: "An ISO 8601 time (UTC).", format: "date-time" });
const currency = z.string().length(3).meta({ description: "ISO 4217 currency code.", example: "USD" });

export const linePropertiesSchema = z
  .record(z.string(), z.string())
  .meta({ id: "LineProperties", description: "What the shopper chose for a line (an engraving, a gift message); {} when none.", example: { Engraving: "For Ada" } });

export const cartLineSchema = z
  .object({
    lineId: z.string().meta({
      description: "The line's stable id: the product's id for a line without properties, else the product's id, '~' and a hash of its properties.",
    }),
    productId: z.string(),
    properties: linePropertiesSchema,
    name: z.string(),
    slug: z.string(),
    image: z.string().meta({ description: "Path of the product's image; empty when unknown." }),
    href: z.string().nullable().meta({ description: "The product's page, when the host's catalog gives one; else null (the components then link nowhere)." }),
    unitPrice: money.meta({ description: "The current catalog price." }),
    addedUnitPrice: money.meta({ description: "The price when the line was first added." }),
    quantity: z.number().int().min(1),
    lineTotal: money,
    available: z.boolean().meta({ description: "False when the product was deactivated since it was added." }),
  })
  .meta({ id: "CartLine" });

export const cartNoticeSchema = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("merged"),
      message: z.string(),
      details: z.unknown().optional().meta({ description: "What the merge added, capped and dropped." }),
    }),
    z.object({ type: z.literal("price_changed"), productId: z.string(), from: money, to: money, message: z.string() }),
    z.object({ type: z.literal("unavailable"), productId: z.string(), message: z.string() }),
    z.object({ type: z.literal("quantity_capped"), productId: z.string(), from: z.number().int(), to: z.number().int(), message: z.string() }),
  ])
  .meta({ id: "CartNotice", description: "What changed without the shopper doing it." });

export const cartSchema = z
  .object({
    id: z.string().nullable().meta({ description: "Null while the cart has never held an item." }),
    version: z.number().int().min(0).meta({ description: "+1 on every change; 0 for a never-written cart. The ETag is this number, quoted." }),
    currency,
    items: z.array(cartLineSchema),
    note: z.string().nullable().meta({ description: "The shopper's note to the store; null when none." }),
    itemCount: z.number().int().min(0).meta({ description: "Sum of quantities." }),
    subtotal: money.meta({ description: "Sum of lineTotal of available lines." }),
    updatedAt: isoTime.nullable(),
    notices: z.array(cartNoticeSchema),
  })
  .meta({ id: "Cart" });

export const checkoutLineSchema = z
  .object({
    lineId: z.string(),
    productId: z.string(),
    name: z.string(),
    unitPrice: money.meta({ description: "The catalog price when the checkout was created." }),
    quantity: z.number().int().min(1),
    properties: linePropertiesSchema,
    lineTotal: money,
  })
  .meta({ id: "CheckoutLine" });

export const checkoutSchema = z
  .object({
    id: z.string(),
    status: z.enum(["open", "completed", "cancelled"]),
    cartVersion: z.number().int().min(1).meta({ description: "The cart's version the snapshot was taken at." }),
    currency,
    lines: z.array(checkoutLineSchema).meta({ description: "The lines on sale, priced fresh from the catalog." }),
    note: z.string().nullable(),
    itemCount: z.number().int().min(1),
    subtotal: money,
    createdAt: isoTime,
    expiresAt: isoTime.meta({ description: "Until when the quoted prices hold (CHECKOUT_TTL_MINUTES). Completion is never refused past it." }),
    orderId: z.string().optional().meta({ description: "The host's order id, once completed." }),
    completedAt: isoTime.optional(),
    cancelledAt: isoTime.optional(),
  })
  .meta({ id: "Checkout" });

export const checkoutCreatedSchema = z
  .object({
    checkout: checkoutSchema,
    notices: z.array(cartNoticeSchema).meta({ description: "Lines left out (no longer sold) and prices that changed since they were added." }),
  })
  .meta({ id: "CheckoutCreated" });

export const checkoutEnvelopeSchema = z.object({ checkout: checkoutSchema }).meta({ id: "CheckoutEnvelope" });

export const productSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    price: money,
    currency,
    active: z.boolean().meta({ description: "False for products no longer sold (still listed to explain unavailable lines)." }),
  })
  .meta({ id: "Product" });

export const productListSchema = z.object({ products: z.array(productSchema) }).meta({ id: "ProductList" });

export const sessionUserSchema = z.object({ id: z.string(), email: z.string().nullable() }).meta({ id: "SessionUser" });

export const sessionInfoSchema = z
  .object({
    user: sessionUserSchema.nullable(),
    startedAt: isoTime,
    expiresAt: isoTime,
    idleTimeoutSeconds: z.number().int().min(1),
  })
  .meta({ id: "SessionInfo" });

export const recoveryLinkSchema = z
  .object({ url: z.string().meta({ description: "The signed link; opening it with GET changes nothing." }), expiresAt: isoTime })
  .meta({ id: "RecoveryLink" });

export const registeredUserSchema = z.object({ user: z.object({ id: z.string(), email: z.string() }) }).meta({ id: "RegisteredUser" });

const healthCheckSchema = z.object({
  ok: z.boolean(),
  kind: z.string().optional(),
  latencyMs: z.number().int().min(0),
  // "read-only": the database answers but cannot take writes now (a failover in progress); reads go on from the cache.
  error: z.enum(["unreachable", "read-only"]).optional(),
});

export const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    checks: z.object({ postgres: healthCheckSchema, redis: healthCheckSchema }),
  })
  .meta({ id: "Health" });

export const pingSchema = z.object({ ok: z.literal(true) }).meta({ id: "Ping" });

// The operations dashboard's figures (GET /api/admin/stats): shaped by lib/http/dashboard.ts.
export const dashboardStatsSchema = z.looseObject({}).meta({ id: "DashboardStats", description: "The /admin dashboard's figures; their shape may grow." });

export const openApiDocumentSchema = z.looseObject({ openapi: z.string() }).meta({ id: "OpenApiDocument" });

export const metricsTextSchema = z.string().meta({ description: "The Prometheus text exposition format (version 0.0.4)." });

export const cleanupResultSchema = z
  .object({
    trigger: z.string(),
    dryRun: z.boolean(),
    startedAt: isoTime,
    durationMs: z.number().int().min(0),
    batches: z.number().int().min(0),
    deleted: z.record(z.string(), z.number().int().min(0)),
    complete: z.boolean(),
  })
  .meta({ id: "CleanupResult" });

export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];
export const errorCodeSchema = z.enum(errorCodes).meta({ id: "ErrorCode" });

export const validationDetailsSchema = z
  .array(z.object({ path: z.array(z.string()), message: z.string() }))
  .meta({ id: "ValidationDetails", description: "One entry per problem, with the field's path." });

// The error body for a given set of codes: the document narrows each response to the codes it can carry.
export function errorBodySchema(codes: readonly [ErrorCode, ...ErrorCode[]] = errorCodes) {
  return z.object({
    error: z.object({
      code: codes === errorCodes ? errorCodeSchema : z.enum(codes),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  });
}

// 412 VERSION_CONFLICT carries the current cart beside the error.
export const versionConflictSchema = z
  .object({
    error: z.object({ code: z.literal("VERSION_CONFLICT"), message: z.string() }),
    cart: cartSchema,
  })
  .meta({ id: "VersionConflict" });

export type ApiCart = z.infer<typeof cartSchema>;
export type ApiProduct = z.infer<typeof productSchema>;
export type ApiSessionInfo = z.infer<typeof sessionInfoSchema>;
export type ApiRecoveryLink = z.infer<typeof recoveryLinkSchema>;
export type ApiCheckout = z.infer<typeof checkoutSchema>;

// The schemas and the service's own types say the same thing (checked by tsc, both ways).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [Same<z.infer<typeof cartLineSchema>, CartLineView>, Same<z.infer<typeof cartNoticeSchema>, CartNotice>, Same<ApiCart, CartView>] = [
  true,
  true,
  true,
];
void agree;
