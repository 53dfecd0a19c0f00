import { z } from "zod";
import { ConfigError, intFromEnv, withoutEmpty } from "../lib/config/env";

// Settings of `npm run stack` (scripts/stack.mts), apart from the app's own:
// the gateway reads them, the instances do not.
const stackSchema = z.object({
  // Requests one instance is given at once; past that the gateway answers 503 OVERLOADED.
  STACK_MAX_CONN: intFromEnv(8, 1, 10_000),
  // A file for the gateway's timing log (one "<msec> <status> <request_time>" line per answer); off when unset.
  STACK_ACCESS_LOG: z.string().regex(/^\/[^\s;{}'"]+$/, "must be an absolute path without spaces").optional(),
});

export type StackEnv = z.infer<typeof stackSchema>;

export function parseStackEnv(source: Record<string, string | undefined> = process.env): StackEnv {
  const result = stackSchema.safeParse(withoutEmpty(source));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return result.data;
}
