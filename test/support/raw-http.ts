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

  close() {
    this.agent.destroy();
  }
}

export class ClientRefused extends Error {
  constructor(readonly reason: unknown) {
    super(`the client refused to send: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}
