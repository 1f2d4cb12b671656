import { test } from "uvu";
import * as assert from "uvu/assert";
import { currencyDigits, formatMoney, isPositive, minorToDecimal, parseMajor, sumMoney } from "./money.js";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

test("minor units become an exact decimal string", () => {
  assert.is(minorToDecimal(12345n, 2), "123.45");
  assert.is(minorToDecimal(5n, 2), "0.05");
  assert.is(minorToDecimal(-5n, 2), "-0.05");
  assert.is(minorToDecimal(0n, 2), "0.00");
  assert.is(minorToDecimal(500n, 0), "500");
  assert.is(minorToDecimal(1234n, 3), "1.234");
});

test("each currency formats with its own digits", () => {
  assert.is(currencyDigits("EUR"), 2);
  assert.is(currencyDigits("JPY"), 0);
  assert.is(currencyDigits("BHD"), 3);
  assert.is(formatMoney(eur(12345n)), "€123.45");
  assert.is(formatMoney(eur(100n)), "€1.00");
  assert.is(formatMoney({ amountMinor: 500n, currency: "JPY" }), "JP¥500");
  assert.is(formatMoney({ amountMinor: 1234n, currency: "BHD" }), "BHD\u00a01.234");
  assert.is(formatMoney({ amountMinor: 2500n, currency: "USD" }), "US$25.00");
});

test("amounts beyond a float's precision stay exact", () => {
  // 2^53 + 1 cents: a Number would print ...992 instead of ...993.
  assert.is(formatMoney(eur(9007199254740993n)), "€90,071,992,547,409.93");
});

test("a negative amount keeps its sign", () => {
  assert.is(formatMoney(eur(-250n)), "-€2.50");
});

test("missing money formats as nothing", () => {
  assert.is(formatMoney(undefined), "");
  assert.is(formatMoney({ amountMinor: 100n, currency: "" }), "");
});

test("typed amounts become minor units without rounding", () => {
  assert.is(parseMajor("120", "EUR"), 12000n);
  assert.is(parseMajor("120.5", "EUR"), 12050n);
  assert.is(parseMajor(" 1,200.55 ", "EUR"), 120055n);
  assert.is(parseMajor("0.1", "EUR"), 10n);
  assert.is(parseMajor("500", "JPY"), 500n);
  assert.is(parseMajor("1.234", "EUR"), undefined, "more decimals than the currency has");
  assert.is(parseMajor("1.5", "JPY"), undefined);
  assert.is(parseMajor("abc", "EUR"), undefined);
  assert.is(parseMajor("-3", "EUR"), undefined);
  assert.is(parseMajor("", "EUR"), undefined);
});

test("sums add bigints and refuse mixed or missing currencies", () => {
  assert.equal(sumMoney([eur(1999n), eur(1n)]), eur(2000n));
  assert.is(sumMoney([eur(1n), { amountMinor: 1n, currency: "USD" }]), undefined);
  assert.is(sumMoney([eur(1n), undefined]), undefined);
  assert.is(sumMoney([]), undefined);
});

test("isPositive is true only for an amount above zero", () => {
  assert.ok(isPositive(eur(1n)));
  assert.not.ok(isPositive(eur(0n)));
  assert.not.ok(isPositive(undefined));
});

test.run();
