import { defineLiveSuite } from "./live-suite";

// Live carts fanned out through Redis pub/sub (one subscription per process).
defineLiveSuite("postgres+redis");
