import http from "node:http";

/**
 * HTTP without a client's manners: any method token, a path sent byte for
 * byte (no URL normalisation), any header, a body of raw bytes (invalid
 * UTF-8 included). For fuzzing, where fetch would fix or refuse the input.
 */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export class RawClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(baseUrl: string, maxSockets = 8) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Rejects with `ClientRefused` when Node itself will not send the request (invalid header or path characters). */
  send(req: RawRequest, timeoutMs = 15_000): Promise<RawReply> {
    return new Promise((resolve, reject) => {
      let request: http.ClientRequest;
      try {
        request = http.request(
          { host: this.url.hostname, port: this.url.port, method: req.method, path: req.path, headers: req.headers, agent: this.agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
          },
        );
      } catch (err) {
        reject(new ClientRefused(err));
        return;
      }
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on("error", reject);
      if (req.body !== undefined) request.write(req.body);
      request.end();
    });
  }

  /**
   * Sends the body in chunks (chunked transfer encoding unless a Content-Length is given) and
   * stops writing once an answer arrives, as a client does whose upload the server refused.
   */
  sendInChunks(req: RawRequest & { body: string }, chunkBytes = 16 * 1024, timeoutMs = 15_000): Promise<RawReply> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const request = http.request(
        { host: this.url.hostname, port: this.url.port, method: req.method, path: req.path, headers: req.headers, agent: false },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      // The server may close the connection on a refused upload: only an error before any answer counts.
      request.on("error", (err) => {
        if (!answered) reject(err);
      });
      const body = Buffer.from(req.body);
      let offset = 0;
      const writeMore = () => {
        while (!answered && offset < body.length) {
          const chunk = body.subarray(offset, offset + chunkBytes);
          offset += chunk.length;
          if (!request.write(chunk)) {
            request.once("drain", writeMore);
            return;
          }
        }
        if (!answered) request.end();
      };
      writeMore();
    });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * Sends an upload the server is expected to refuse, again if need be. A server that answers
 * and closes without reading the rest of the body may make a client still writing see EPIPE or
 * ECONNRESET instead of the answer (browsers too); such an attempt is sent again, and any answer
 * that does arrive is the caller's to check.
 */
export async function sendRefusedUpload<T>(send: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (attempt >= attempts || !["EPIPE", "ECONNRESET", "UND_ERR_SOCKET"].includes(String(code))) throw err;
    }
  }
}

export class ClientRefused extends Error {
  constructor(readonly reason: unknown) {
    super(`the client refused to send: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}
