import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

// Whether an Authorization header is exactly `Bearer <secret>`. Both sides
// are hashed first, so the comparison takes the same time whatever the
// header's length or how much of it matches.
export function bearerMatches(header: string | null, secret: string): boolean {
  return timingSafeEqual(digest(header ?? ""), digest(`Bearer ${secret}`));
}
