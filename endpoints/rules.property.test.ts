// Properties of the validation rules every service's validators are made of:
// each one accepts exactly what it promises and refuses the rest, with its
// stable rule id — checked against an independent oracle on generated input.
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DateSchema } from "../gen/itinera/type/v1/date_pb.js";
import { MoneySchema } from "../gen/itinera/type/v1/money_pb.js";
import { CreditRequestSchema } from "../gen/itinera/wallet/v1/wallet_pb.js";
import type { FieldViolation } from "./errors.js";
import {
  compareDates,
  currency,
  currencyCodes,
  date,
  dateAfter,
  emailAddress,
  intRange,
  isCalendarDate,
  maxLen,
  money,
  pageSize,
  textViolations,
  type Check,
} from "./rules.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const CODES = currencyCodes();

/** The violations a check reports, flattened. */
const found = (c: Check): FieldViolation[] => (!c ? [] : Array.isArray(c) ? c.flatMap((x: Check) => found(x)) : [c as FieldViolation]);
const ruleOf = (c: Check) => found(c).map((v) => v.rule);

test("email: every address of the usual shape passes; no @, two @, a space inside or a dotless domain is refused", () => {
  fc.assert(
    fc.property(fc.emailAddress(), fc.constantFrom("", " ", "\t"), (address, pad) => {
      assert.equal(ruleOf(emailAddress("email", `${pad}${address}${pad}`)), [], address);
    }),
    RUNS,
  );
  const word = fc.string({ minLength: 1, maxLength: 8 }).filter((w) => !/[@.\s]/.test(w));
  const refused = fc.oneof(
    fc.string().filter((s) => !s.includes("@")),
    fc.tuple(fc.emailAddress(), word).map(([a, w]) => `${w}@${a}`),
    fc.tuple(word, word).map(([local, domain]) => `${local}@${domain}`),
    fc.tuple(word, word).map(([local, domain]) => `${local}@${domain}.`),
    fc.emailAddress().map((a) => a.slice(a.indexOf("@"))),
  );
  fc.assert(
    fc.property(refused, (s) => {
      assert.equal(ruleOf(emailAddress("email", s)), ["pattern"], JSON.stringify(s));
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.emailAddress(), fc.nat(), fc.constantFrom(" ", "\u00a0", "\n"), (address, i, space) => {
      const at = 1 + (i % (address.length - 1));
      assert.equal(ruleOf(emailAddress("email", address.slice(0, at) + space + address.slice(at))), ["pattern"]);
    }),
    RUNS,
  );
});

test("max_len counts code points: a string of n code points passes exactly when n ≤ max", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: "grapheme-composite", minLength: 1, maxLength: 1 }), { maxLength: 40 }), fc.nat(40), (units, max) => {
      const s = units.join("");
      const codePoints = [...s].length;
      assert.equal(ruleOf(maxLen("name", s, max)), codePoints <= max ? [] : ["max_len"], `${codePoints} vs ${max}`);
    }),
    RUNS,
  );
});

test("page_size and range: whole numbers inside the bounds pass, anything else (fractions, NaN, outside) is refused", () => {
  const anyNumber = fc.oneof(fc.integer({ min: -5, max: 205 }), fc.double(), fc.constantFrom(Number.NaN, Infinity, -0, 0.5, 100.5));
  fc.assert(
    fc.property(anyNumber, fc.integer({ min: 1, max: 200 }), (n, max) => {
      const ok = Number.isInteger(n) && n >= 0 && n <= max;
      assert.equal(ruleOf(pageSize("page_size", n, max)), ok ? [] : ["range"], String(n));
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.bigInt({ min: -100n, max: 100n }), fc.nat(1000), (n, min, width) => {
      const max = min + BigInt(width);
      assert.equal(ruleOf(intRange("n", n, min, max)), n >= min && n <= max ? [] : ["range"]);
    }),
    RUNS,
  );
});

test("currency and money: known ISO-4217 codes pass, anything else (lower case, unknown, empty) is refused at <field>.currency", () => {
  const known = [...CODES];
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 4 }), fc.constantFrom(...known).map((c) => c.toLowerCase())), (code) => {
      const rules = ruleOf(currency("currency", code, CODES));
      assert.equal(rules, CODES.has(code) ? [] : [code === "" ? "required" : "iso4217"], code);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(...known), (amountMinor, code) => {
      const violations = found(money("amount", create(MoneySchema, { amountMinor, currency: code }), CODES, { positive: true }));
      assert.equal(violations.map((v) => `${v.field}:${v.rule}`), amountMinor > 0n ? [] : ["amount.amount_minor:gt_zero"]);
    }),
    RUNS,
  );
});

const DAY_MS = 86_400_000;
/** The oracle: a JavaScript Date set to that UTC day reads the same day back (years 0–99 set explicitly). */
function realDay(y: number, m: number, d: number): boolean {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
const epochDay = (y: number, m: number, d: number) => {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return Math.round(t.getTime() / DAY_MS);
};
/** Any numbers, weighted to where calendars trip: century years (leap or not) and the last days of a month. */
const anyDay = fc.record({
  year: fc.oneof(fc.integer({ min: -2, max: 10_001 }), fc.integer({ min: 0, max: 100 }).map((c) => c * 100)),
  month: fc.oneof(fc.integer({ min: -1, max: 14 }), fc.constant(2)),
  day: fc.oneof(fc.integer({ min: -1, max: 33 }), fc.constantFrom(28, 29, 30, 31)),
});
const realDate = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((t) => ({
  year: t.getUTCFullYear(),
  month: t.getUTCMonth() + 1,
  day: t.getUTCDate(),
}));

test("date: a day passes exactly when it is a real calendar day of years 1 to 9999 (leap years included)", () => {
  fc.assert(
    fc.property(fc.oneof(anyDay, realDate), ({ year, month, day }) => {
      const real = year >= 1 && year <= 9999 && realDay(year, month, day);
      assert.is(isCalendarDate({ year, month, day }), real, `${year}-${month}-${day}`);
      assert.equal(ruleOf(date("check_in", create(DateSchema, { year, month, day }))), real ? [] : ["date"]);
    }),
    RUNS,
  );
});

test("date order: compareDates has the sign of the days between, and check-out passes exactly when it is later", () => {
  fc.assert(
    fc.property(realDate, realDate, (a, b) => {
      const days = epochDay(a.year, a.month, a.day) - epochDay(b.year, b.month, b.day);
      assert.is(Math.sign(compareDates(create(DateSchema, a), create(DateSchema, b))), Math.sign(days));
      assert.equal(ruleOf(dateAfter("check_out", create(DateSchema, a), "check_in", create(DateSchema, b))), days > 0 ? [] : ["date_order"]);
    }),
    RUNS,
  );
});

/** The oracle for well-formed UTF-16: encodeURIComponent refuses a lone surrogate (URIError). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

test("text: a string passes exactly when it is well-formed Unicode without NUL, wherever it sits in a request", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("customerId", "reference", "idempotencyKey"), (s, field) => {
      const req = create(CreditRequestSchema, { [field]: s });
      const ok = wellFormed(s) && !s.includes("\u0000");
      assert.equal(ruleOf(textViolations(CreditRequestSchema, req)), ok ? [] : ["text"], JSON.stringify(s));
    }),
    RUNS,
  );
});

test.run();
