// What every node-redis connection of the module shares (the store's, its cluster's, the live
// carts' publisher and subscriber). No import of node-redis here: pubsub.ts loads it lazily.
export function redisConnectionOptions(timeoutMs: number) {
  return {
    // No offline queue: while disconnected a command fails at once instead of piling up.
    disableOfflineQueue: true,
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: Math.max(timeoutMs * 4, 500),
      // Keep trying forever in the background, at most once a second.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  };
}

// For connections whose calls have a deadline of their own (the store's, lib/storage/store.ts) or
// need none (fire-and-forget publishes): node-redis's default (5 s) adds an AbortSignal.timeout
// per command, whose timer outlives the answer and fires later anyway — thousands alive at once on
// a loaded instance, for the collector. A connection that stops answering fills its bounded
// queue (above) and then refuses at once.
export const NO_COMMAND_TIMEOUT = { timeout: 0 } as const;
