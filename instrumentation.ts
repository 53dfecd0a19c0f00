// Runs once when a server instance starts (Node.js runtime only). The module throws a
// ConfigError for a bad configuration; this storefront's choice is to stop, saying why.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    const { cart } = await import("./app/_demo/cart");
    await cart.start();
  } catch (err) {
    // By name: this file is also compiled for the edge runtime, where the module is not imported.
    if (!(err instanceof Error && err.name === "ConfigError")) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
