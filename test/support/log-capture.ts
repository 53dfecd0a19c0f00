import pino from "pino";

/**
 * The module's log lines in this process (lib/log/logger.ts: one pino logger per process,
 * writing to stderr), kept from now until stop(): what a server's output would show.
 */
export function captureLog(): { text(): string; stop(): void } {
  const shared = (globalThis as Record<symbol, unknown>)[Symbol.for("next-cart.logger.v3")] as { logger: pino.Logger } | undefined;
  const logger = shared?.logger;
  if (!logger) throw new Error("no next-cart logger in this process yet: make an instance first");
  const stream = (logger as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym]!;
  const write = stream.write;
  let text = "";
  stream.write = function (line: string) {
    text += line;
    return write.call(this, line);
  };
  return {
    text: () => text,
    stop: () => {
      stream.write = write;
    },
  };
}
