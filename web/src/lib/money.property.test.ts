// Properties of the page's money: what it prints keeps every digit of any
// int64 amount in any currency (Intl gets a decimal string, never a float);
// what a traveller types reads back exactly, or not at all; sums are exact.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { currencyDigits, formatMoney, minorToDecimal, parseMajor, sumMoney } from "./money.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const amount = fc.oneof(fc.bigInt(INT64), fc.bigInt({ min: -100_000n, max: 100_000n }), fc.constantFrom(INT64.min, INT64.max, 2n ** 53n + 1n, 0n));
const currency = fc.constantFrom(...Intl.supportedValuesOf("currency"));
/** The digits of |minor| with at least digits + 1 of them ("5" with 2 digits is "005": €0.05). */
const digitsOf = (minor: bigint, digits: number) => (minor < 0n ? -minor : minor).toString().padStart(digits + 1, "0");

test("formatMoney prints exactly the amount's digits and its sign, whatever the currency and the size", () => {
  fc.assert(
    fc.property(amount, currency, (amountMinor, code) => {
      const text = formatMoney({ amountMinor, currency: code });
      const digits = currencyDigits(code);
      // Currency symbols carry no digits: what is left is the amount's.
      assert.is(text.replace(/\D/g, ""), digitsOf(amountMinor, digits), text);
      assert.is(/[-\u2212]/.test(text), amountMinor < 0n, text);
    }),
    RUNS,
  );
});

test("what minorToDecimal writes parseMajor reads back exactly, with or without thousands separators", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: INT64.max }), currency, fc.boolean(), (minor, code, grouped) => {
      const decimal = minorToDecimal(minor, currencyDigits(code));
      const typed = grouped ? decimal.replace(/^\d+/, (whole) => whole.replace(/\B(?=(\d{3})+$)/g, ",")) : decimal;
      assert.is(parseMajor(` ${typed} `, code), minor, typed);
    }),
    RUNS,
  );
});

test("parseMajor refuses more decimals than the currency has, signs, and anything that is not a number", () => {
  fc.assert(
    fc.property(fc.nat(), fc.constantFrom("EUR", "JPY", "BHD"), (n, code) => {
      const tooPrecise = `${n}.${"1".repeat(currencyDigits(code) + 1)}`;
      assert.is(parseMajor(tooPrecise, code), undefined, tooPrecise);
      assert.is(parseMajor(`-${n}`, code), undefined);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.string().filter((s) => !/^[\d,\s]*(\.\d*)?$/.test(s.trim().replace(/[,\s]/g, "")) || s.trim() === ""), (s) => {
      assert.is(parseMajor(s, "EUR"), undefined, JSON.stringify(s));
    }),
    RUNS,
  );
});

test("sumMoney adds exactly in one currency and refuses a mix or a missing part", () => {
  fc.assert(
    fc.property(fc.array(amount, { minLength: 1, maxLength: 8 }), (amounts) => {
      const total = amounts.reduce((a, b) => a + b, 0n);
      assert.equal(sumMoney(amounts.map((a) => ({ amountMinor: a, currency: "EUR" }))), { amountMinor: total, currency: "EUR" });
      assert.is(sumMoney([...amounts.map((a) => ({ amountMinor: a, currency: "EUR" })), { amountMinor: 0n, currency: "USD" }]), undefined);
      assert.is(sumMoney([...amounts.map((a) => ({ amountMinor: a, currency: "EUR" })), undefined]), undefined);
    }),
    RUNS,
  );
});

test.run();
