import { defineLiveSuite } from "./live-suite";

// Live carts fanned out through sharded pub/sub (SPUBLISH / SSUBSCRIBE) on a Redis Cluster of the
// test's own (three masters, one replica each).
defineLiveSuite("postgres+redis-cluster");
