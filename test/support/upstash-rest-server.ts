/**
 * Test fixture: a small HTTP server that speaks the Upstash Redis REST
 * protocol (as used by @upstash/redis 1.39) and forwards every command to a
 * real redis-server, so UpstashStore can be tested without the Upstash cloud.
 *
 *   POST /            one command array        -> {"result": x} | 400 {"error": "..."}
 *   POST /pipeline    array of command arrays  -> [{"result": x} | {"error": "..."}, ...]
 *   POST /multi-exec  same, run in MULTI/EXEC  -> [{"result": x} | {"error": "..."}, ...]
 *   GET|POST /cmd/arg1/arg2  path form; a POST body is appended as the last argument
 *
 * Auth is `Authorization: Bearer <token>` (401 {"error":"Unauthorized"} otherwise).
 * With `Upstash-Encoding: base64` every string reply except the literal "OK"
 * is base64-encoded, recursively inside arrays; integers and nil stay as they are.
 * Redis errors keep their message text (e.g. "NOSCRIPT ..."), which is what
 * @upstash/redis's Script.exec looks for before falling back to EVAL.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, MultiErrorReply } from "redis";

export interface UpstashRestServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

type Entry = { result: unknown } | { error: string };

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

function encode(reply: unknown, base64: boolean): unknown {
  if (typeof reply === "string") return base64 && reply !== "OK" ? Buffer.from(reply, "utf8").toString("base64") : reply;
  if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
  return reply; // numbers and null pass through
}

function toCommand(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error("ERR command must be a non-empty array");
  return raw.map((arg) => (typeof arg === "string" ? arg : typeof arg === "number" || typeof arg === "boolean" ? String(arg) : JSON.stringify(arg)));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startUpstashRestServer(opts: { redisUrl: string; token: string }): Promise<UpstashRestServer> {
  // RESP2 like Upstash: integers are numbers, nil is null, no maps or doubles.
  const client = createClient({ url: opts.redisUrl, RESP: 2 });
  client.on("error", () => {}); // surfaced per command instead
  await client.connect();

  const run = async (command: string[], base64: boolean): Promise<Entry> => {
    try {
      return { result: encode(await client.sendCommand(command), base64) };
    } catch (err) {
      return { error: errorMessage(err) };
    }
  };

  const runTransaction = async (commands: string[][], base64: boolean): Promise<Entry[]> => {
    const multi = client.multi();
    for (const command of commands) multi.addCommand(command);
    let replies: unknown[];
    try {
      replies = await multi.exec();
    } catch (err) {
      if (!(err instanceof MultiErrorReply)) throw err; // EXECABORT etc.: the whole request fails
      replies = err.replies;
    }
    return replies.map((reply) => (reply instanceof Error ? { error: reply.message } : { result: encode(reply, base64) }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, { error: "Unauthorized" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
    const text = await readBody(req);
    try {
      if (path === "/pipeline" || path === "/multi-exec") {
        const body: unknown = JSON.parse(text);
        if (!Array.isArray(body)) throw new Error("ERR body must be an array of commands");
        const commands = body.map(toCommand);
        return send(res, 200, path === "/pipeline" ? await Promise.all(commands.map((c) => run(c, base64))) : await runTransaction(commands, base64));
      }
      let command: string[];
      if (path === "") command = toCommand(JSON.parse(text));
      else {
        command = path.slice(1).split("/").map(decodeURIComponent);
        if (req.method === "POST" && text.length > 0) command.push(text);
      }
      const entry = await run(command, base64);
      return send(res, "error" in entry ? 400 : 200, entry);
    } catch (err) {
      return send(res, 400, { error: errorMessage(err) });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: errorMessage(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token: opts.token,
    async close() {
      server.closeAllConnections(); // @upstash/redis keeps connections alive
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (client.isOpen) await client.close();
    },
  };
}
