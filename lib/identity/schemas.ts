import { z } from "zod";

// Emails are compared trimmed and lower-cased; passwords are never trimmed.
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email("must be an email address"));

export const passwordSchema = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(256, "must be at most 256 characters")
  .refine((p) => !p.includes("\u0000"), "must not contain NUL");

export const registerSchema = z.strictObject({ email: emailSchema, password: passwordSchema });
export type RegisterInput = z.infer<typeof registerSchema>;

export const credentialsSchema = z.object({ email: emailSchema, password: z.string().min(1).max(256) });
