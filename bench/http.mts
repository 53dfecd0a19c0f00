// One shopper's HTTP for the load generator: keep-alive HTTPS to the self-signed gateway, or plain
// HTTP straight to one instance (the direct scenarios), its own cookie, and each answer timed from
// the request's start to its body's end.
import http from "node:http";
import https from "node:https";

export interface Answer {
  status: number;
  // 0 when the request never got an answer (refused, reset).
  ms: number;
  startedAt: number;
  retryAfter: number | null;
  code: string | null;
  body: string;
  // Sent on a connection opened (and TLS-handshaken) for it, not a kept-alive one.
  opened: boolean;
}

// The agent for the base URL's scheme (a request through the other scheme's agent throws).
export function keepAliveAgent(base: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 1000 };
  return base.protocol === "http:" ? new http.Agent(options) : new https.Agent({ ...options, rejectUnauthorized: false });
}

// Requests cut off at the end of a run (never answered) are told apart from refused ones.
let abandoning = false;

export function abandonInFlight(agent: http.Agent): void {
  abandoning = true;
  agent.destroy();
}

export function resetAbandoned(): void {
  abandoning = false;
}

export class Client {
  cookie = "";

  constructor(
    private readonly base: URL,
    public agent: http.Agent,
  ) {}

  request(method: string, path: string, body?: { json?: unknown; form?: string }, extra: Record<string, string> = {}): Promise<Answer> {
    const payload = body?.json !== undefined ? JSON.stringify(body.json) : body?.form;
    const headers: Record<string, string> = { origin: this.base.origin, ...extra };
    if (this.cookie) headers.cookie = this.cookie;
    if (payload !== undefined) {
      headers["content-type"] = body?.json !== undefined ? "application/json" : "application/x-www-form-urlencoded";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    const startedAt = performance.now();
    return new Promise((resolve) => {
      const send = this.base.protocol === "http:" ? http.request : https.request;
      const req = send({ host: this.base.hostname, port: this.base.port, path, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", () => resolve(failed(startedAt)));
        res.on("end", () => {
          this.keepCookies(res.headers["set-cookie"] ?? []);
          const text = Buffer.concat(chunks).toString();
          const retryAfter = res.headers["retry-after"];
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - startedAt,
            startedAt,
            retryAfter: retryAfter === undefined ? null : Number(retryAfter),
            code: errorCode(res.statusCode ?? 0, text),
            body: text,
            opened: !req.reusedSocket,
          });
        });
      });
      req.setTimeout(30_000, () => req.destroy());
      req.on("error", () => resolve(failed(startedAt)));
      req.end(payload);
    });
  }

  // The cookie jar of one browser, cut down to what this app sets: name=value pairs, deleted on Max-Age=0.
  private keepCookies(lines: string[]): void {
    if (lines.length === 0) return;
    const jar = new Map(this.cookie ? this.cookie.split("; ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair] as const) : []);
    for (const line of lines) {
      const pair = line.split(";")[0]!;
      const name = pair.slice(0, pair.indexOf("="));
      if (/max-age=0/i.test(line) || pair.endsWith("=")) jar.delete(name);
      else jar.set(name, pair);
    }
    this.cookie = [...jar.values()].join("; ");
  }
}

// Status 0: no answer (refused, reset); -1: still unanswered when the run ended.
function failed(startedAt: number): Answer {
  return { status: abandoning ? -1 : 0, ms: performance.now() - startedAt, startedAt, retryAfter: null, code: null, body: "", opened: false };
}

function errorCode(status: number, text: string): string | null {
  if (status < 400) return null;
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}
