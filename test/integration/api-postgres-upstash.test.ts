import { defineCartSuite } from "./cart-suite";

defineCartSuite("postgres+upstash");
