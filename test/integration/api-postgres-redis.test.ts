import { defineCartSuite } from "./cart-suite";
import { defineLinesSuite } from "./lines-suite";

defineCartSuite("postgres+redis");
defineLinesSuite("postgres+redis");
