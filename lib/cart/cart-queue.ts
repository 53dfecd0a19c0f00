// Changes to one cart from one instance run one after another in memory
// before they take a database connection. Postgres's row lock still orders
// writers across instances; this only stops a burst on one cart (a shopper
// double-clicking, or an attacker) from parking every pooled connection on
// the same lock while other shoppers wait for a connection.
const tails = new Map<string, Promise<unknown>>();

export function serializeByCart<T>(cartId: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(cartId) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  tails.set(cartId, tail);
  void tail.then(() => {
    if (tails.get(cartId) === tail) tails.delete(cartId);
  });
  return run;
}
