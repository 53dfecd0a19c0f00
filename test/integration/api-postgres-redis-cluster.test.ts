import { defineCartSuite } from "./cart-suite";

// The contract suite with sessions, limits and the cart cache on a Redis Cluster
// (three masters, one replica each) of the test's own.
defineCartSuite("postgres+redis-cluster");
