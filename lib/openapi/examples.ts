import type { z } from "zod";
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
import { addItemSchema, completeCheckoutSchema, noteSchema, setQuantitySchema } from "../cart/schemas";
import { liveEventsSchema } from "../contract/operations";
import type { ErrorCode } from "../errors";
import { registerSchema } from "../identity/schemas";

// The document's examples, one per schema the table's operations read or answer with, and
// one per error code. Keyed by the schema itself, so an operation's example follows from its
// output (or the table's own `example`, when it has one). test/unit/openapi-document.test.ts
// parses every example with its schema, and the redocly lint checks them against the document.

const TEE = "sku-tee-black-m";
const MUG = "sku-mug-stoneware";
const MUG_LINE = "sku-mug-stoneware~0f3k2x9q1a8b4c7d6e5f2g";

const cart = {
  id: "4f9b2c1e-8d7a-4b36-9e21-0c5d3a7f6e12",
  version: 3,
  currency: "USD",
  items: [
    {
      lineId: TEE,
      productId: TEE,
      properties: {},
      name: "Organic Tee, Black, M",
      slug: "tee-black-m",
      image: "/products/tee-black-m.svg",
      href: "/products/tee-black-m",
      unitPrice: 2500,
      addedUnitPrice: 2400,
      quantity: 2,
      lineTotal: 5000,
      available: true,
    },
    {
      lineId: MUG_LINE,
      productId: MUG,
      properties: { Engraving: "For Ada" },
      name: "Stoneware Mug",
      slug: "mug-stoneware",
      image: "/products/mug-stoneware.svg",
      href: "/products/mug-stoneware",
      unitPrice: 1800,
      addedUnitPrice: 1800,
      quantity: 1,
      lineTotal: 1800,
      available: true,
    },
  ],
  note: "Gift wrap, please.",
  itemCount: 3,
  subtotal: 6800,
  updatedAt: "2026-11-27T22:00:00.000Z",
  notices: [
    { type: "price_changed", productId: TEE, from: 2400, to: 2500, message: "The price of Organic Tee, Black, M changed since you added it." },
  ],
} satisfies z.input<typeof cartSchema>;

const checkout = {
  id: "chk_Q2hlY2tvdXRFeGFtcGxlMDE",
  status: "open",
  cartVersion: 3,
  currency: "USD",
  lines: [
    { lineId: TEE, productId: TEE, name: "Organic Tee, Black, M", unitPrice: 2500, quantity: 2, properties: {}, lineTotal: 5000 },
    { lineId: MUG_LINE, productId: MUG, name: "Stoneware Mug", unitPrice: 1800, quantity: 1, properties: { Engraving: "For Ada" }, lineTotal: 1800 },
  ],
  note: "Gift wrap, please.",
  itemCount: 3,
  subtotal: 6800,
  createdAt: "2026-11-27T22:00:00.000Z",
  expiresAt: "2026-11-27T22:30:00.000Z",
} satisfies z.input<typeof checkoutEnvelopeSchema>["checkout"];

const session = {
  user: null,
  startedAt: "2026-11-27T21:40:00.000Z",
  expiresAt: "2026-11-27T22:30:00.000Z",
  idleTimeoutSeconds: 1800,
} satisfies z.input<typeof sessionInfoSchema>;

const check = (latencyMs: number) => ({ ok: true, kind: "postgres", latencyMs });

// What each schema's example is. A schema missing here gets no example: the document test names it.
const bySchema = new Map<z.ZodType, unknown>([
  [cartSchema, cart],
  [
    checkoutCreatedSchema,
    {
      checkout,
      notices: [{ type: "unavailable", productId: "sku-scarf-plaid", message: "Brushed Scarf, Plaid (retired) is no longer available." }],
    },
  ],
  [
    checkoutEnvelopeSchema,
    { checkout: { ...checkout, status: "completed", orderId: "order-1042", completedAt: "2026-11-27T22:04:00.000Z" } },
  ],
  [sessionInfoSchema, session],
  [recoveryLinkSchema, { url: "https://shop.example/cart/recover?token=v1.eyJsIjoiM2Y0YiJ9.Qm9vaw", expiresAt: "2026-12-04T22:00:00.000Z" }],
  [
    productListSchema,
    {
      products: [
        {
          id: TEE,
          slug: "tee-black-m",
          name: "Organic Tee, Black, M",
          description: "Heavyweight 220 gsm organic cotton tee with a relaxed fit.",
          price: 2500,
          currency: "USD",
          active: true,
        },
        {
          id: "sku-scarf-plaid",
          slug: "scarf-plaid",
          name: "Brushed Scarf, Plaid (retired)",
          description: "Retired from the line this season.",
          price: 4200,
          currency: "USD",
          active: false,
        },
      ],
    },
  ],
  [pingSchema, { ok: true }],
  [liveEventsSchema, `event: cart\nid: ${cart.version}\ndata: ${JSON.stringify({ ...cart, notices: [] })}\n\n: keep-alive\n\n`],
  [healthSchema, { status: "ok", checks: { postgres: check(3), redis: { ok: true, kind: "redis", latencyMs: 1 } } }],
  [dashboardStatsSchema, { generatedAt: "2026-11-27T22:00:00.000Z", sessions: { signedIn: 12, guestsApprox: 340, guestWindowSeconds: 1800 } }],
  [metricsTextSchema, "# HELP cart_http_requests_total Requests answered.\n# TYPE cart_http_requests_total counter\ncart_http_requests_total{route=\"/api/cart\",method=\"GET\",status=\"200\"} 42\n"],
  [openApiDocumentSchema, { openapi: "3.1.0", info: { title: "next-cart", version: "1.1.0" }, paths: {} }],
  [
    cleanupResultSchema,
    {
      trigger: "cron",
      dryRun: false,
      startedAt: "2026-11-28T03:00:00.000Z",
      durationMs: 412,
      batches: 2,
      deleted: { guestCarts: 118, idempotencyKeys: 930, recoveryLinks: 4 },
      complete: true,
    },
  ],
  [registeredUserSchema, { user: { id: "9b31875e-524e-4783-8bd5-4668b6bff4cb", email: "ada@example.com" } }],
  // Request bodies.
  [addItemSchema, { productId: MUG, quantity: 1, properties: { Engraving: "For Ada" } }],
  [noteSchema, { note: "Gift wrap, please." }],
  [completeCheckoutSchema, { orderId: "order-1042" }],
  [setQuantitySchema, { quantity: 3 }],
  [registerSchema, { email: "ada@example.com", password: "correct-horse-battery" }],
]);

// Statuses whose body is the output too (health's 503) have their own example.
const byStatus = new Map<z.ZodType, Record<number, unknown>>([
  [healthSchema, { 503: { status: "down", checks: { postgres: { ok: false, latencyMs: 2000, error: "unreachable" }, redis: check(1) } } }],
]);

export function exampleOf(schema: z.ZodType, status?: number): unknown {
  const special = status === undefined ? undefined : byStatus.get(schema)?.[status];
  return special ?? bySchema.get(schema);
}

export const versionConflictExample = {
  error: { code: "VERSION_CONFLICT", message: "The cart changed since you last saw it." },
  cart: { ...cart, version: 4 },
};

// Each code's message as the server words it, and its details where it has any.
export const errorExamples: Record<ErrorCode, { message: string; details?: unknown }> = {
  VALIDATION_ERROR: {
    message: "The request is not valid.",
    details: [{ path: ["quantity"], message: "Too big: expected number to be <=1000000" }],
  },
  MALFORMED_JSON: { message: "The body is not valid JSON." },
  UNSUPPORTED_MEDIA_TYPE: { message: "Send the body as application/json." },
  PAYLOAD_TOO_LARGE: { message: "The body may be at most 16384 bytes." },
  UNAUTHORIZED: { message: "Send Authorization: Bearer <CRON_SECRET>." },
  FORBIDDEN_ORIGIN: { message: "This origin may not change the cart." },
  NOT_FOUND: { message: "Not found." },
  METHOD_NOT_ALLOWED: { message: "PUT is not allowed here." },
  PRODUCT_NOT_FOUND: { message: "There is no such product.", details: { productId: "sku-does-not-exist" } },
  PRODUCT_UNAVAILABLE: { message: "Brushed Scarf, Plaid (retired) is no longer available.", details: { productId: "sku-scarf-plaid" } },
  QUANTITY_LIMIT: { message: "At most 99 of one product fit in a cart line.", details: { productId: TEE, maxQuantity: 99, currentQuantity: 98 } },
  LINE_LIMIT: { message: "A cart holds at most 100 different products.", details: { maxLines: 100 } },
  ITEM_NOT_FOUND: { message: "That product is not in the cart.", details: { productId: TEE } },
  EMAIL_TAKEN: { message: "An account with this email already exists." },
  CART_EMPTY: { message: "There is nothing in the cart to recover." },
  CHECKOUT_NOT_FOUND: { message: "There is no such checkout." },
  CHECKOUT_COMPLETED: { message: "This checkout was completed with another order id.", details: { orderId: "order-1042" } },
  CHECKOUT_CANCELLED: { message: "This checkout was cancelled." },
  RECOVERY_LINK_INVALID: { message: "This cart link is not valid." },
  RECOVERY_LINK_EXPIRED: { message: "This cart link has expired." },
  RECOVERY_LINK_USED_UP: { message: "This cart link has been used too many times." },
  VERSION_CONFLICT: { message: "The cart changed since you last saw it." },
  IDEMPOTENCY_KEY_REUSED: { message: "This Idempotency-Key was used for a different request." },
  IDEMPOTENCY_IN_PROGRESS: { message: "A request with this Idempotency-Key is still being processed." },
  SESSION_ROTATED: { message: "You signed in or out meanwhile. Retry with the current session cookie." },
  RATE_LIMITED: { message: "Too many requests. Please wait a moment and try again.", details: { retryAfterSeconds: 17 } },
  SERVICE_UNAVAILABLE: { message: "The cart is briefly unavailable. Please try again in a moment." },
  OVERLOADED: { message: "The shop is busy right now. Please try again in a second." },
  LIVE_UNAVAILABLE: { message: "Live carts are not available here: poll GET /api/cart with If-None-Match." },
  INTERNAL_ERROR: { message: "Something went wrong on our side." },
};

export function errorExample(code: ErrorCode): { error: { code: ErrorCode; message: string; details?: unknown } } {
  const { message, details } = errorExamples[code];
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
