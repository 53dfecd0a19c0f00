import type { NextRequest } from "next/server";
import { env, storefrontOrigin } from "../config/env";
import { AppError } from "../errors";

export const MAX_BODY_BYTES = 16 * 1024;

// A forwarded header's value, only when a proxy we trust wrote it
// (TRUST_PROXY): otherwise any client could name the host that recovery
// links and redirects point at. `next start` fills these in itself when they
// are absent, so without TRUST_PROXY they are never read.
//
// One rule for every forwarded header, the same as the client's address (lib/http/rate-limit.ts
// clientAddress): each trusted proxy appends what it saw on the right, so the value is the
// TRUST_PROXY-th entry from the right; anything left of it is the client's own writing.
export function trustedForwarded(headers: Headers, name: "x-forwarded-host" | "x-forwarded-proto", trustProxy = env().TRUST_PROXY): string | undefined {
  if (trustProxy <= 0) return undefined;
  const entries = (headers.get(name) ?? "").split(",").map((e) => e.trim());
  const value = entries[Math.max(0, entries.length - trustProxy)];
  return value ? value : undefined;
}

// The app's own origin as the browser sees it: PUBLIC_ORIGIN when set (then no header decides
// it), else the Host, or a trusted proxy's forwarded host and protocol.
export function publicOrigin(headers: Headers, fallbackHost = "localhost"): string {
  return storefrontOrigin(() => {
    const host = trustedForwarded(headers, "x-forwarded-host") || headers.get("host") || fallbackHost;
    // Next.js derives nextUrl's protocol from X-Forwarded-Proto too; `next start` itself speaks plain HTTP.
    const proto = trustedForwarded(headers, "x-forwarded-proto") === "https" ? "https" : "http";
    return `${proto}://${host}`;
  });
}

// State-changing requests from another origin change nothing. No Origin at
// all is a non-browser client and passes; `Origin: null` does not. (Behind
// a TLS proxy, TRUST_PROXY makes our origin https: see publicOrigin.)
export function assertSameOrigin(req: NextRequest): void {
  if (req.headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("FORBIDDEN_ORIGIN", "Cross-site requests may not change the cart.");
  }
  const origin = req.headers.get("origin");
  if (origin === null) return;
  if (origin === publicOrigin(req.headers, req.nextUrl.host) || env().ALLOWED_ORIGINS.includes(origin)) return;
  throw new AppError("FORBIDDEN_ORIGIN", "This origin may not change the cart.");
}

// Reads a JSON body under the contract's rules: content type, size, syntax.
export async function readJsonBody(req: NextRequest): Promise<{ value: unknown; text: string }> {
  const type = req.headers.get("content-type");
  const mediaType = type?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
  }
  const text = await readLimited(req, MAX_BODY_BYTES);
  try {
    return { value: JSON.parse(text), text };
  } catch {
    throw new AppError("MALFORMED_JSON", "The body is not valid JSON.");
  }
}

// A refused body small enough to read whole (up to this many bytes in all: twice what the gateway,
// deploy/nginx, lets through) is read to its end and dropped before the 413 leaves, on a connection
// that stays open. Closing a connection with bytes of the request still unread makes the kernel
// reset it, and a gateway that is still sending them (nginx) then loses the 413 and answers 502.
// A bigger body is left unread and the 413 ends the connection (lib/http/errors.ts).
const READ_WHOLE_BYTES = 64 * 1024;

// A 413 that says whether its body was read to the end (its connection may then stay open).
export class BodyTooLarge extends AppError {
  constructor(
    limit: number,
    readonly readToEnd: boolean,
  ) {
    super("PAYLOAD_TOO_LARGE", `The body may be at most ${limit} bytes.`);
  }
}

// Reads and drops the rest of a refused body while the total stays within READ_WHOLE_BYTES; true when it ended.
async function dropRest(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<boolean> {
  for (let total = alreadyRead; total <= READ_WHOLE_BYTES; ) {
    const { done, value } = await reader.read();
    if (done) return true;
    total += value.byteLength;
  }
  return false;
}

// The 413 for a body refused by its declared length (Content-Length over the limit): read to its
// end and dropped first when it is small enough, else left unread.
export async function refusedBody(req: Request, limit: number): Promise<AppError> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  const reader = req.body?.getReader();
  const whole = reader !== undefined && declared <= READ_WHOLE_BYTES && (await dropRest(reader, 0));
  // Not cancel(): that destroys the socket before the 413 is written.
  reader?.releaseLock();
  return new BodyTooLarge(limit, whole);
}

// Streams the body and stops at the limit, whatever Content-Length claimed (chunked bodies too);
// 413 at once when Content-Length already says the body is over it.
export async function readLimitedBytes(req: Request, limit: number): Promise<Buffer> {
  if (Number(req.headers.get("content-length") ?? "0") > limit) throw await refusedBody(req, limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      const whole = await dropRest(reader, size);
      reader.releaseLock();
      throw new BodyTooLarge(limit, whole);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

// One decoder for every body: decode() without { stream: true } keeps no state between calls.
const utf8 = new TextDecoder("utf-8", { fatal: true });

async function readLimited(req: NextRequest, limit: number): Promise<string> {
  const bytes = await readLimitedBytes(req, limit);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError("MALFORMED_JSON", "The body is not valid UTF-8 JSON.");
  }
}

// The same rule for server actions, which see headers but not the URL the
// browser used: the Origin's host must be ours (as Next.js's own action
// check does), or an allowed origin. `Origin: null` never passes.
export function assertSameHostOrigin(headers: Headers): void {
  if (headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("FORBIDDEN_ORIGIN", "Cross-site requests may not change the cart.");
  }
  const origin = headers.get("origin");
  if (origin === null || env().ALLOWED_ORIGINS.includes(origin)) return;
  const configured = env().PUBLIC_ORIGIN;
  const ownHost = configured ? new URL(configured).host : trustedForwarded(headers, "x-forwarded-host") || headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost !== ownHost) throw new AppError("FORBIDDEN_ORIGIN", "This origin may not change the cart.");
}
