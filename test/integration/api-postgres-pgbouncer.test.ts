import { defineCartSuite } from "./cart-suite";

// The contract suite with Postgres behind a PgBouncer of the test's own in
// transaction pooling mode (no prepared statements, no session state).
defineCartSuite("postgres+pgbouncer+redis");
