import { defineCartSuite } from "./cart-suite";
import { defineLinesSuite } from "./lines-suite";

defineCartSuite("pglite+memory");
defineLinesSuite("pglite+memory");
