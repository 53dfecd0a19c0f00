import { defineCartSuite } from "./cart-suite";

defineCartSuite("postgres+redis");
