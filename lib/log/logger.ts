/**
 * A tiny structured logger: one JSON line per event on stderr. Messages never
 * reach HTTP responses; this is where the detail goes instead.
 */
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function threshold(): number {
  const configured = process.env.LOG_LEVEL as Level | "silent" | undefined;
  return order[configured ?? "info"] ?? order.info;
}

function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { error: err.message, name: err.name, code: (err as { code?: unknown }).code, stack: err.stack };
  return { error: String(err) };
}

function write(level: Level, msg: string, fields?: Record<string, unknown>) {
  if (order[level] < threshold()) return;
  const { err, ...rest } = fields ?? {};
  const line = { level, time: new Date().toISOString(), msg, ...rest, ...(err === undefined ? {} : errorFields(err)) };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
