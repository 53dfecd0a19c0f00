import { createCart, memoryCatalog, tuningFromEnv, type CartConfig } from "@/lib/server";
import { closeDatabase } from "@/lib/storage/database";

/**
 * An instance of the module in the test's own process, as a host makes one: its settings from
 * `env` only (never the test runner's environment), and `run` to call the module's internals
 * as that instance (lib/runtime/context.ts).
 */
export function testInstance(env: Record<string, string>, config: Partial<CartConfig> = {}) {
  const cart = createCart({ catalog: memoryCatalog([]), ...config, env: { LOG_LEVEL: "warn", ...env }, tuning: tuningFromEnv(env) });
  return {
    cart,
    run: <T,>(fn: () => T): T => cart.runtime.run(fn),
    close: async () => {
      await cart.stop();
      await closeDatabase(cart.settings);
    },
  };
}
