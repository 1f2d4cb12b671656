// Properties of the money helpers every service shares: text that keeps every
// digit of any int64 amount (no float ever rounds it), and the wallet
// markdown and flexible price computed in whole minor units within their caps.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { flexiblePrice, formatMoney, minorDigits, walletMarkdown } from "./money.js";

const RUNS = { numRuns: 500, includeErrorInReport: true };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const amount = fc.oneof(fc.bigInt(INT64), fc.bigInt({ min: -1000n, max: 1000n }), fc.constantFrom(INT64.min, INT64.max, 0n));
const currencyCode = fc.constantFrom(...Intl.supportedValuesOf("currency"));

/** The oracle: read "EUR -12.05" back into minor units with plain string work. */
function parse(text: string): { currency: string; minor: bigint; fraction: number } {
  const m = /^([A-Z]{3}) (-?)(\d+)(?:\.(\d+))?$/.exec(text);
  assert.ok(m, `not "CUR 12.34": ${text}`);
  const [, currency, sign, whole, fraction = ""] = m;
  return { currency: currency!, minor: BigInt(`${sign}${whole}${fraction}`), fraction: fraction.length };
}

test("formatMoney: parsing the text gives back the exact amount, with the currency's number of minor digits", () => {
  fc.assert(
    fc.property(amount, currencyCode, (minor, currency) => {
      const text = formatMoney(minor, currency);
      const back = parse(text);
      assert.equal(back, { currency, minor, fraction: minorDigits(currency) }, text);
      if (back.fraction > 0) assert.ok(!/^[A-Z]{3} -?0\d/.test(text), `leading zero in ${text}`);
    }),
    RUNS,
  );
});

test("walletMarkdown: never negative, never above the balance, never above half the price: the card pays at least half", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: INT64.max }), amount, (listed, balance) => {
      const m = walletMarkdown(listed, balance);
      assert.ok(m >= 0n && m <= (balance > 0n ? balance : 0n) && 2n * m <= listed, `${listed} ${balance} → ${m}`);
      // As much as the rules allow: either the whole balance or the cap.
      assert.ok(m === (balance > 0n ? balance : 0n) || m === listed / 2n);
      assert.ok(listed - m >= listed - listed / 2n);
    }),
    RUNS,
  );
});

test("flexiblePrice: a tenth of the listed price rounded up to a whole minor unit, zero for nothing", () => {
  fc.assert(
    fc.property(amount, (listed) => {
      const f = flexiblePrice(listed);
      if (listed <= 0n) return assert.is(f, 0n);
      assert.ok(10n * f >= listed && 10n * (f - 1n) < listed, `${listed} → ${f}`);
    }),
    RUNS,
  );
});

test.run();
