import { z } from "zod";
import { MAX_NOTE_LENGTH } from "./types";

// Every request schema in one place. Strict: unknown keys (including
// `__proto__`) are rejected, numbers must be real integers, never coerced.

// Product ids are SKUs: short, printable, no NUL or surrogates can pass.
export const productIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a product id (letters, digits, '.', '_', '-')");

// Far above any per-line limit; anything bigger is not a quantity but an attack or a bug.
const MAX_QUANTITY_INPUT = 1_000_000;

// A line's properties: at most 10 keys of 1–40 characters, string values of at most 200.
export const MAX_PROPERTIES = 10;
const propertyKeySchema = z
  .string()
  .min(1, "must not be empty")
  .max(40, "must be at most 40 characters")
  .refine((key) => key !== "__proto__", "is not allowed");
export const propertiesSchema = z
  .record(propertyKeySchema, z.string().max(200, "must be at most 200 characters"))
  .refine((properties) => Object.keys(properties).length <= MAX_PROPERTIES, `must have at most ${MAX_PROPERTIES} keys`);

export const addItemSchema = z.strictObject({
  productId: productIdSchema,
  quantity: z.number().int().min(1).max(MAX_QUANTITY_INPUT).optional().default(1),
  properties: propertiesSchema.optional(),
});

// A line's id in a path: a product id, or a product id, "~" and its properties' hash.
export const lineIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(160, "must be at most 160 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(~[a-z0-9]{22})?$/, "must be a line id");

export const noteSchema = z.strictObject({
  note: z.string().max(MAX_NOTE_LENGTH, `must be at most ${MAX_NOTE_LENGTH} characters`).nullable(),
});
// A form post sends each line break of a textarea as CRLF, while the field's maxlength counted it
// as one character: counted as the browser counts, a note the field took is never refused.
export const noteFormSchema = z.object({
  note: z
    .string()
    .transform((note) => note.replace(/\r\n/g, "\n"))
    .pipe(z.string().max(MAX_NOTE_LENGTH, `must be at most ${MAX_NOTE_LENGTH} characters`))
    .optional(),
});
export type AddItemInput = z.infer<typeof addItemSchema>;

export const setQuantitySchema = z.strictObject({
  quantity: z.number().int().min(0).max(MAX_QUANTITY_INPUT),
});
export type SetQuantityInput = z.infer<typeof setQuantitySchema>;

// Form posts (server actions) carry strings; parse them strictly into numbers.
const formInteger = (min: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(MAX_QUANTITY_INPUT));

// A form names a property `properties[Key]` (lib/http/pipeline.ts gathers them into one object).
export const addItemFormSchema = z.object({
  productId: productIdSchema,
  quantity: formInteger(1).optional().default(1),
  properties: propertiesSchema.optional(),
});

export const setLineQuantityFormSchema = z.object({
  lineId: lineIdSchema,
  quantity: formInteger(0),
});

export const removeLineFormSchema = z.object({ lineId: lineIdSchema });

export const setQuantityFormSchema = z.object({
  productId: productIdSchema,
  quantity: formInteger(0),
});

export const removeItemFormSchema = z.object({ productId: productIdSchema });

// Only same-site relative paths: never an open redirect.
export const returnToSchema = z
  .string()
  .regex(/^\/(?!\/)[^\\\s]*$/)
  .max(512)
  .catch("/cart");

// The host's order id when it completes a checkout.
export const completeCheckoutSchema = z.strictObject({
  orderId: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
});
