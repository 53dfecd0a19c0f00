import pino from "pino";
import { currentContext } from "../runtime/context";
import { redact, redactError, scrubString } from "./redact";
import { isoTime } from "../time";

// Structured logs: pino, one JSON line per event on stderr, with the
// request's id on every line logged while serving it (lib/log/context.ts).
// Messages never reach HTTP responses; this is where the detail goes
// instead. Everything is redacted (lib/log/redact.ts) before pino sees it.
// For people: `next dev | npx pino-pretty`.
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

const RANK = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity } as const;

// The serving instance's LOG_LEVEL (validated with its settings). Outside an instance (a
// configuration being reported, a CLI before its instance exists) the default, info.
function threshold(): number {
  return RANK[currentContext()?.runtime.settings.LOG_LEVEL ?? "info"];
}

// A second layer for the same names redact() already replaces, should a field slip past it.
const SECRET_NAMES = ["cookie", "authorization", "password", "token", "csrfToken", "secret", "hash"];
const redactPaths = [
  ...SECRET_NAMES,
  ...SECRET_NAMES.map((name) => `*.${name}`),
  '["set-cookie"]',
  '*["set-cookie"]',
  "headers.cookie",
  'headers["set-cookie"]',
  "headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  "*.headers.authorization",
];

function createLogger(destination: pino.DestinationStream) {
  return pino(
    {
      // Every level reaches pino; write() filters by the serving instance's LOG_LEVEL.
      level: "debug",
      base: { pid: process.pid },
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: what the previous logger wrote and what people grep for.
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const requestId = currentContext()?.requestId;
        return requestId ? { requestId } : {};
      },
      redact: { paths: redactPaths, censor: "[redacted]" },
      // Already reduced by write(); this catches an Error handed to pino some other way.
      serializers: { err: (err: unknown) => (err instanceof Error ? redactError(err) : err) },
    },
    destination,
  );
}

// No transport (worker threads fail under Turbopack). Writes are buffered and sent at most every
// 100 ms or every 8 KiB, not one system call per line: the request log stays on at every request,
// so it must stay cheap. Warnings and errors are sent at once, and everything when the process
// exits (Next.js exits on SIGTERM); a SIGKILL can lose at most the last 100 ms of info lines.
// Only the exit (and flushLogs) writes synchronously: sonic-boom's flushSync also fsyncs, which
// cost about a twentieth of the CPU of a loaded instance when it ran every 100 ms.
interface Shared {
  logger: pino.Logger;
  // The same buffer pino writes to: the request lines go straight into it (logRequest).
  destination: { write(line: string): unknown };
  // Sends what is buffered without waiting for it (sonic-boom's flush without a callback: no fsync).
  send: () => void;
  // Writes it out before returning.
  flush: () => void;
}

function createShared(): Shared {
  const destination = pino.destination({ dest: 2, sync: false, minLength: 8192, periodicFlush: 100 });
  const send = () => {
    try {
      destination.flush();
    } catch {
      // the stream is closing: the exit's flush writes what is left
    }
  };
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // nothing was buffered, or the stream is closing: nothing to do
    }
  };
  process.once("exit", flush);
  return { logger: createLogger(destination), destination, send, flush };
}

// One logger (and one buffer) per process, shared by Next.js's separate module graphs.
const key = Symbol.for("next-cart.logger.v3");
const holder = globalThis as { [key]?: Shared };
const { logger, destination, send, flush } = (holder[key] ??= createShared());

function write(at: Level, msg: string, fields?: Fields) {
  if (RANK[at] < threshold()) return;
  const { err, ...rest } = fields ?? {};
  const line = redact(rest) as Fields;
  if (err !== undefined) line.err = redactError(err);
  logger[at](line, scrubString(msg));
  if (RANK[at] >= RANK.warn) send();
}

// The one `request` line per response, the line every request writes at the default level. Its
// fields are the method, the path without its query, the status, the duration and the request's
// id — nothing that can hold a secret — so it is written as pino would write it, but without
// pino's field walk, redaction pass and context lookups: on a loaded instance those cost about a
// twentieth of a fixed-JSON answer. `level` is the serving instance's LOG_LEVEL (else the
// current context's) and `requestId` the request's (else the current context's).
export interface RequestLine {
  method: string | undefined;
  route: string;
  status: number;
  durationMs: number | undefined;
  requestId?: string;
}

export function logRequest(line: RequestLine, at: "info" | "debug" = "info", level?: Level | "silent"): void {
  if (RANK[at] < (level === undefined ? threshold() : RANK[level])) return;
  const requestId = line.requestId ?? currentContext()?.requestId;
  // The id and the method are plain tokens (lib/log/request-id.ts; Node refuses any other method).
  destination.write(
    `{"level":"${at}","time":"${isoTime(Date.now())}","pid":${process.pid}` +
      (requestId === undefined ? "" : `,"requestId":"${requestId}"`) +
      (line.method === undefined ? "" : `,"method":"${line.method}"`) +
      `,"route":${JSON.stringify(line.route)},"status":${line.status}` +
      (line.durationMs === undefined ? "" : `,"durationMs":${line.durationMs}`) +
      `,"msg":"request"}\n`,
  );
}

// Writes out what the buffer holds now (tests; a host's own shutdown hook).
export function flushLogs(): void {
  flush();
}

export const log = {
  debug: (msg: string, fields?: Fields) => write("debug", msg, fields),
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};
