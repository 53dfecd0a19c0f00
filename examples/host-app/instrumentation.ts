// Once per server instance: the cart's schedules, logs and database, opened early.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { cart } = await import("./lib/cart");
    await cart.start();
  }
}
