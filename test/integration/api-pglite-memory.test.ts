import { defineCartSuite } from "./cart-suite";

defineCartSuite("pglite+memory");
