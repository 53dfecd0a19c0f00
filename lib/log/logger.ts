import pino from "pino";
import { currentLogContext } from "./context";
import { redact, redactError, scrubString } from "./redact";

// Structured logs: pino, one JSON line per event on stderr, with the
// request's id on every line logged while serving it (lib/log/context.ts).
// Messages never reach HTTP responses; this is where the detail goes
// instead. Everything is redacted (lib/log/redact.ts) before pino sees it.
// For people: `next dev | npx pino-pretty`.
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

const LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

function level(): string {
  // Read directly (not env()): the logger must work while a bad configuration is being reported.
  // CART_LOG_LEVEL wins over LOG_LEVEL, as for every setting (lib/config/env.ts).
  const configured = process.env.CART_LOG_LEVEL || process.env.LOG_LEVEL;
  return LEVELS.includes(configured as (typeof LEVELS)[number]) ? configured! : "info";
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

function createLogger() {
  return pino(
    {
      level: level(),
      base: { pid: process.pid },
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: what the previous logger wrote and what people grep for.
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const context = currentLogContext();
        return context ? { requestId: context.requestId } : {};
      },
      redact: { paths: redactPaths, censor: "[redacted]" },
      // Already reduced by write(); this catches an Error handed to pino some other way.
      serializers: { err: (err: unknown) => (err instanceof Error ? redactError(err) : err) },
    },
    // Synchronous writes, no transport: worker threads fail under Turbopack, and a crash loses no line.
    pino.destination({ dest: 2, sync: true }),
  );
}

// One logger per process, shared by Next.js's separate module graphs.
const key = Symbol.for("next-cart.logger");
const holder = globalThis as { [key]?: pino.Logger };
const logger = (holder[key] ??= createLogger());

function write(at: Level, msg: string, fields?: Fields) {
  if (!logger.isLevelEnabled(at)) return;
  const { err, ...rest } = fields ?? {};
  const line = redact(rest) as Fields;
  if (err !== undefined) line.err = redactError(err);
  logger[at](line, scrubString(msg));
}

export const log = {
  debug: (msg: string, fields?: Fields) => write("debug", msg, fields),
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};
