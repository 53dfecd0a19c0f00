import type { NextRequest } from "next/server";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";

export const MAX_BODY_BYTES = 16 * 1024;

/** The app's own origin as the browser sees it (honouring a proxy's forwarded headers). */
export function publicOrigin(req: NextRequest): string {
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || req.nextUrl.host;
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || req.nextUrl.protocol.replace(/:$/, "");
  return `${proto}://${host}`;
}

/**
 * State-changing requests from another origin change nothing. No Origin at
 * all is a non-browser client and passes; `Origin: null` does not.
 */
export function assertSameOrigin(req: NextRequest): void {
  if (req.headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("FORBIDDEN_ORIGIN", "Cross-site requests may not change the cart.");
  }
  const origin = req.headers.get("origin");
  if (origin === null) return;
  if (origin === publicOrigin(req) || env().ALLOWED_ORIGINS.includes(origin)) return;
  throw new AppError("FORBIDDEN_ORIGIN", "This origin may not change the cart.");
}

/** Reads a JSON body under the contract's rules: content type, size, syntax. */
export async function readJsonBody(req: NextRequest): Promise<{ value: unknown; text: string }> {
  const type = req.headers.get("content-type");
  const mediaType = type?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `The body may be at most ${MAX_BODY_BYTES} bytes.`);
  const text = await readLimited(req, MAX_BODY_BYTES);
  try {
    return { value: JSON.parse(text), text };
  } catch {
    throw new AppError("MALFORMED_JSON", "The body is not valid JSON.");
  }
}

/** Streams the body and stops at the limit, whatever Content-Length claimed. */
async function readLimited(req: NextRequest, limit: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("PAYLOAD_TOO_LARGE", `The body may be at most ${limit} bytes.`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("MALFORMED_JSON", "The body is not valid UTF-8 JSON.");
  }
}

/**
 * The same rule for server actions, which see headers but not the URL the
 * browser used: the Origin's host must be ours (as Next.js's own action
 * check does), or an allowed origin. `Origin: null` never passes.
 */
export function assertSameHostOrigin(headers: Headers): void {
  if (headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("FORBIDDEN_ORIGIN", "Cross-site requests may not change the cart.");
  }
  const origin = headers.get("origin");
  if (origin === null || env().ALLOWED_ORIGINS.includes(origin)) return;
  const ownHost = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost !== ownHost) throw new AppError("FORBIDDEN_ORIGIN", "This origin may not change the cart.");
}
