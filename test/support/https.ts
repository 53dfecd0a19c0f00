import https from "node:https";

/**
 * fetch over node:https that accepts the stack's self-signed certificate
 * (Node's own fetch cannot be told to). String bodies only; answers are read
 * whole. Keep-alive, so a burst reuses its TLS connections.
 */
const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 256 });

export const insecureFetch = ((input: string | URL, init: RequestInit = {}) => {
  const url = new URL(String(input));
  if (init.body != null && typeof init.body !== "string") throw new Error("insecureFetch sends string bodies only");
  const body = init.body ?? undefined;
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise<Response>((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? "GET", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const replyHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) replyHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 0;
        const noBody = status === 204 || status === 304 || chunks.length === 0;
        resolve(new Response(noBody ? null : new Uint8Array(Buffer.concat(chunks)), { status, headers: replyHeaders }));
      });
    });
    req.on("error", reject);
    req.setTimeout(15_000, () => req.destroy(new Error("no answer within 15 s")));
    req.end(body);
  });
}) as typeof fetch;

/**
 * The same for a streamed answer (GET /api/cart/live): resolves once the headers arrive, the
 * body readable as it comes; the request's signal ends the connection (a browser closing it).
 */
export const insecureStreamFetch = ((input: string | URL, init: RequestInit = {}) => {
  const url = new URL(String(input));
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
  return new Promise<Response>((resolve, reject) => {
    // Its own connection: a stream would hold one of the shared agent's sockets.
    const req = https.request(url, { method: init.method ?? "GET", headers, rejectUnauthorized: false }, (res) => {
      const replyHeaders = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) replyHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          res.on("data", (c: Buffer) => controller.enqueue(new Uint8Array(c)));
          res.on("end", () => controller.close());
          res.on("error", (err) => controller.error(err));
          res.on("close", () => {
            try {
              controller.close();
            } catch {
              // already closed
            }
          });
        },
        cancel() {
          req.destroy();
        },
      });
      resolve(new Response(body, { status: res.statusCode ?? 0, headers: replyHeaders }));
    });
    init.signal?.addEventListener("abort", () => req.destroy(), { once: true });
    req.on("error", reject);
    req.end();
  });
}) as typeof fetch;
