import { test } from "uvu";
import * as assert from "uvu/assert";
import { flexiblePrice, formatMoney } from "./money.js";

test("amounts print in major units with the currency's own number of digits, exactly", () => {
  assert.is(formatMoney(1200n, "EUR"), "EUR 12.00");
  assert.is(formatMoney(5n, "EUR"), "EUR 0.05");
  assert.is(formatMoney(-5n, "USD"), "USD -0.05");
  assert.is(formatMoney(500n, "JPY"), "JPY 500");
  assert.is(formatMoney(1234n, "BHD"), "BHD 1.234");
  assert.is(formatMoney(9_223_372_036_854_775_807n, "EUR"), "EUR 92233720368547758.07");
});

test("the flexible option costs a tenth of the listed price, rounded up to a whole minor unit", () => {
  assert.is(flexiblePrice(12_000n), 1_200n);
  assert.is(flexiblePrice(12_001n), 1_201n);
  assert.is(flexiblePrice(1n), 1n);
  assert.is(flexiblePrice(0n), 0n);
});

test.run();
