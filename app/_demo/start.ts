// What this storefront does when an instance starts (instrumentation.ts, Node.js only): start
// the module; on a ConfigError, stop, saying why. The module throws; the host decides.
import { ConfigError } from "next-cart/server";

export async function startStorefront(): Promise<void> {
  try {
    const { cart } = await import("./cart");
    await cart.start();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
