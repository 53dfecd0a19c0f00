import { z } from "zod";
import "zod-openapi";
import { validationDetailsSchema } from "../cart/api-schemas";
import type { ErrorCode } from "../errors";

// The error body of each code, with the `details` that code really carries (what the code
// throwing it puts there: lib/cart/domain.ts, lib/cart/service.ts, lib/http/rate-limit.ts,
// lib/http/errors.ts, lib/cart/idempotency.ts). A code without an entry carries no details.
// Each is one component (ValidationError, RateLimitedError, …); a response's body is the
// union of its codes' bodies, told apart by `code`, so a generated client narrows `details`
// by checking the code.

const productId = z.string().meta({ description: "The product the refusal is about." });
const productDetails = z.object({ productId }).meta({ id: "ProductDetails" });

export const errorDetailsSchemas: Partial<Record<ErrorCode, z.ZodType>> = {
  VALIDATION_ERROR: validationDetailsSchema,
  RATE_LIMITED: z
    .object({ retryAfterSeconds: z.number().int().min(0).meta({ description: "The same wait as the Retry-After header." }) })
    .meta({ id: "RateLimitedDetails" }),
  PRODUCT_NOT_FOUND: productDetails,
  PRODUCT_UNAVAILABLE: productDetails,
  // The product's id on /cart/items/{productId}; the lineId (of a line with properties) on /cart/lines/{lineId}.
  ITEM_NOT_FOUND: z
    .object({
      productId: productId.optional(),
      lineId: z.string().optional().meta({ description: "The line the refusal is about (a line with properties)." }),
    })
    .meta({ id: "ItemNotFoundDetails" }),
  CHECKOUT_COMPLETED: z
    .object({ orderId: z.string().meta({ description: "The order id it was completed with." }) })
    .meta({ id: "CheckoutCompletedDetails" }),
  QUANTITY_LIMIT: z
    .object({
      productId,
      maxQuantity: z.number().int().min(1).meta({ description: "The most of one product a line holds." }),
      currentQuantity: z.number().int().min(0).optional().meta({ description: "What the line holds now (on an add)." }),
    })
    .meta({ id: "QuantityLimitDetails" }),
  LINE_LIMIT: z
    .object({ maxLines: z.number().int().min(1).meta({ description: "The most lines a cart holds." }) })
    .meta({ id: "LineLimitDetails" }),
};

// VALIDATION_ERROR → ValidationError, PRODUCT_NOT_FOUND → ProductNotFoundError.
export function errorComponentName(code: ErrorCode): string {
  const pascal = code
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
  return pascal.endsWith("Error") ? pascal : `${pascal}Error`;
}

const errorObjects = new Map<ErrorCode, z.ZodObject>();

// `{code, message, details?}` of one code: the inside of the body's `error`.
export function errorObjectSchema(code: ErrorCode): z.ZodObject {
  let schema = errorObjects.get(code);
  if (!schema) {
    const details = errorDetailsSchemas[code];
    schema = z
      .object({ code: z.literal(code), message: z.string().meta({ description: "For people; not to be parsed." }), ...(details ? { details } : {}) })
      .meta({ id: errorComponentName(code) });
    errorObjects.set(code, schema);
  }
  return schema;
}

// The body of a response that carries one of `codes`: {"error": <one of their error objects>}.
export function errorBodyFor(codes: readonly ErrorCode[]): z.ZodType {
  const members = [...new Set(codes)].sort().map(errorObjectSchema);
  if (members.length === 0) throw new Error("an error response needs at least one code");
  const error = members.length === 1 ? members[0]! : z.discriminatedUnion("code", members as [z.ZodObject, z.ZodObject, ...z.ZodObject[]]);
  return z.object({ error });
}
