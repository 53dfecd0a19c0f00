import { z } from "zod";

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

export const addItemSchema = z.strictObject({
  productId: productIdSchema,
  quantity: z.number().int().min(1).max(MAX_QUANTITY_INPUT).optional().default(1),
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

export const addItemFormSchema = z.object({
  productId: productIdSchema,
  quantity: formInteger(1).optional().default(1),
});

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
