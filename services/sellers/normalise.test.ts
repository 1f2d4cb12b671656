// Normalisation: money into EUR minor units (half-even), local times at an
// airport's zone into UTC instants across DST changes, calendar dates, and
// city aliases with the built-in synonyms.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { addDays, daysBetween, formatDate, parseDate, utcDateOf } from "./calendar.js";
import { decimalToMinor, divideHalfEven, FxTable, parseFxRates, SANDBOX_FX_RATES } from "./fx.js";
import { cityAliasesFor, cityId } from "./synonyms.js";
import { TimeZones } from "./time-zones.js";

const iso = (ms: number) => new Date(ms).toISOString();

test("division rounds half to even, on both sides of zero", () => {
  const cases: [bigint, bigint, bigint][] = [
    [5n, 2n, 2n], // 2.5 → 2
    [7n, 2n, 4n], // 3.5 → 4
    [-5n, 2n, -2n],
    [-7n, 2n, -4n],
    [26n, 10n, 3n], // 2.6 → 3
    [24n, 10n, 2n], // 2.4 → 2
    [25n, 10n, 2n], // 2.5 → 2
    [35n, 10n, 4n], // 3.5 → 4
    [0n, 7n, 0n],
  ];
  for (const [n, d, want] of cases) assert.is(divideHalfEven(n, d), want, `${n}/${d}`);
  assert.throws(() => divideHalfEven(1n, 0n), /positive/);
});

test("decimal strings become minor units of their currency, exactly", () => {
  assert.is(decimalToMinor("123.45", "USD"), 12345n);
  assert.is(decimalToMinor("123", "USD"), 12300n);
  assert.is(decimalToMinor("0.1", "GBP"), 10n);
  assert.is(decimalToMinor("1.005", "EUR"), 100n); // half-even: 100.5 → 100
  assert.is(decimalToMinor("1.015", "EUR"), 102n); // 101.5 → 102
  assert.is(decimalToMinor("500", "JPY"), 500n);
  assert.is(decimalToMinor("99999999999.99", "EUR"), 9_999_999_999_999n);
  for (const bad of ["", "abc", "-1.00", "1,00", "1.", ".5", "1e3"]) assert.throws(() => decimalToMinor(bad, "EUR"), /decimal/, bad);
});

test("the sandbox FX table converts USD and GBP to EUR minor units, rounding half-even", () => {
  const fx = new FxTable(SANDBOX_FX_RATES);
  assert.is(fx.toEurMinor(10000n, "USD"), 9200n); // USD 100.00 → EUR 92.00
  assert.is(fx.toEurMinor(12345n, "USD"), 11357n); // 11357.4 → 11357
  assert.is(fx.toEurMinor(10250n, "GBP"), 11992n); // 11992.5 → 11992 (even)
  assert.is(fx.toEurMinor(10350n, "GBP"), 12110n); // 12109.5 → 12110 (even)
  assert.is(fx.toEurMinor(50n, "GBP"), 58n); // 58.5 → 58 (even)
  assert.is(fx.toEurMinor(150n, "GBP"), 176n); // 175.5 → 176 (even)
  assert.is(fx.toEurMinor(25n, "USD"), 23n); // 23.0
  assert.is(fx.toEurMinor(12345n, "EUR"), 12345n);
  const money = fx.decimalToEur("123.45", "USD");
  assert.is(money.amountMinor, 11357n);
  assert.is(money.currency, "EUR");
  assert.throws(() => fx.toEurMinor(100n, "CHF"), /no FX rate for CHF/);
  assert.equal(fx.currencies().sort(), ["EUR", "GBP", "USD"]);
});

test("FX rates come from configuration and are checked", () => {
  assert.equal(parseFxRates(["USD=0.92", " gbp = 1.17 "]), { USD: "0.92", GBP: "1.17" });
  assert.throws(() => parseFxRates(["USD"]), /CODE=rate/);
  assert.throws(() => new FxTable({ USD: "abc" }), /positive decimal/);
  assert.throws(() => new FxTable({ USD: "0" }), /positive decimal/);
  // JPY has no minor digits: JPY 1000 at 0.0062 → EUR 6.20.
  assert.is(new FxTable({ JPY: "0.0062" }).toEurMinor(1000n, "JPY"), 620n);
});

test("local times at an airport become UTC instants in winter and in summer", () => {
  const zones = new TimeZones();
  assert.is(iso(zones.toInstantMs("2026-12-01T08:15", "Europe/Lisbon")), "2026-12-01T08:15:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-07-01T08:15", "Europe/Lisbon")), "2026-07-01T07:15:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-12-01T11:00", "America/New_York")), "2026-12-01T16:00:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-07-01T11:00:30", "America/New_York")), "2026-07-01T15:00:30.000Z");
  assert.is(iso(zones.toInstantMs("2026-12-01T23:30", "Asia/Kolkata")), "2026-12-01T18:00:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-12-01T00:10", "Pacific/Auckland")), "2026-11-30T11:10:00.000Z");
});

test("across a DST change: times just before and after, a skipped time and a repeated one", () => {
  const zones = new TimeZones();
  // Lisbon springs forward on 2026-03-29 at 01:00 UTC (01:00 → 02:00 local).
  assert.is(iso(zones.toInstantMs("2026-03-29T00:59", "Europe/Lisbon")), "2026-03-29T00:59:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-03-29T02:00", "Europe/Lisbon")), "2026-03-29T01:00:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-03-29T08:15", "Europe/Lisbon")), "2026-03-29T07:15:00.000Z");
  // 01:30 does not exist that night: moved forward by the gap, to 02:30 local.
  assert.is(iso(zones.toInstantMs("2026-03-29T01:30", "Europe/Lisbon")), "2026-03-29T01:30:00.000Z");
  // New York falls back on 2026-11-01 at 06:00 UTC (02:00 → 01:00 local): 01:30 happens twice, the first is taken.
  assert.is(iso(zones.toInstantMs("2026-11-01T01:30", "America/New_York")), "2026-11-01T05:30:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-11-01T00:30", "America/New_York")), "2026-11-01T04:30:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-11-01T02:30", "America/New_York")), "2026-11-01T07:30:00.000Z");
  // New York springs forward on 2026-03-08: 02:30 does not exist, 03:30 is EDT.
  assert.is(iso(zones.toInstantMs("2026-03-08T02:30", "America/New_York")), "2026-03-08T07:30:00.000Z");
  assert.is(iso(zones.toInstantMs("2026-03-08T03:30", "America/New_York")), "2026-03-08T07:30:00.000Z");
  assert.is(zones.offsetMs(Date.parse("2026-07-01T00:00:00Z"), "Europe/Lisbon"), 3_600_000);
});

test("bad local times and zones are refused", () => {
  const zones = new TimeZones();
  for (const bad of ["2026-12-01", "2026-12-01 08:15", "2026-02-30T08:15", "2026-12-01T24:00", "2026-12-01T08:60"]) {
    assert.throws(() => zones.toInstantMs(bad, "Europe/Lisbon"), /local time/, bad);
  }
  assert.is(zones.isKnown("Europe/Lisbon"), true);
  assert.is(zones.isKnown("Mars/Olympus_Mons"), false);
});

test("calendar dates parse, print and count days, leap years included", () => {
  const d = parseDate("2028-02-28");
  assert.equal({ year: d.year, month: d.month, day: d.day }, { year: 2028, month: 2, day: 28 });
  assert.is(formatDate(addDays(d, 1)), "2028-02-29");
  assert.is(formatDate(addDays(d, 2)), "2028-03-01");
  assert.is(formatDate(addDays(parseDate("2026-12-31"), 1)), "2027-01-01");
  assert.is(daysBetween(parseDate("2026-03-28"), parseDate("2026-03-30")), 2); // across a DST change: still 2
  assert.is(formatDate(utcDateOf(new Date("2026-12-01T23:59:59Z"))), "2026-12-01");
  for (const bad of ["2026-02-29", "2026-13-01", "26-12-01", "2026-12-1"]) assert.throws(() => parseDate(bad), /not a date/, bad);
});

test("city aliases merge the seller's and the built-in synonyms, once each", () => {
  const fromSeller = new Map([["new-york-us", ["NY", "Nova Iorque", "nyc"]]]);
  const aliases = cityAliasesFor(["new-york-us", "lisbon-pt", "new-york-us", "nowhere-xx"], fromSeller);
  assert.equal(aliases["new-york-us"]?.aliases, ["NY", "Nova Iorque", "nyc", "New York City", "Big Apple", "Manhattan"]);
  assert.equal(aliases["lisbon-pt"]?.aliases, ["Lisboa"]);
  assert.is(aliases["nowhere-xx"], undefined);
  assert.equal(Object.keys(aliases).sort(), ["lisbon-pt", "new-york-us"]);
  assert.is(cityId("New York", "US"), "new-york-us");
  assert.is(cityId("São Paulo", "BR"), "sao-paulo-br");
  assert.is(cityId("Zürich", "ch"), "zurich-ch");
});

test.run();
