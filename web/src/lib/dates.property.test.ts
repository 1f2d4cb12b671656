// Properties of the page's calendar dates: ISO text round-trips, adding days
// and counting nights are inverse, "today" is the traveller's own calendar day,
// and none of it moves when the browser's zone has a daylight-saving change —
// checked in zones with 1 h, 30 min and southern-hemisphere DST and a zone
// that skipped a whole day (Pacific/Apia, 30 Dec 2011).
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { addDays, daysBetween, defaultStay, localToday, MAX_NIGHTS, parseIsoDate, stayProblems, toIsoDate, type DateParts } from "./dates.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
/** Per zone: seven zones share the budget. */
const RUNS_PER_ZONE = { numRuns: 60, includeErrorInReport: true };
const ZONES = ["UTC", "Europe/Lisbon", "America/Sao_Paulo", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Apia", "Asia/Kathmandu"];
// The tests run in Node, whose local zone follows the TZ variable even when it changes at run time.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const inZone = (zone: string, body: () => void) => {
  const before = env.TZ;
  env.TZ = zone;
  try {
    body();
  } finally {
    if (before === undefined) delete env.TZ;
    else env.TZ = before;
  }
};

/** Any real day from year 1000 to 9999 (what a date input offers). */
const day: fc.Arbitrary<DateParts> = fc
  .date({ min: new Date("1000-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true })
  .map((t) => ({ year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() }));
const instant = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2040-01-01T00:00:00Z"), noInvalidDate: true });

test("toIsoDate and parseIsoDate round-trip every real day; impossible days do not parse", () => {
  fc.assert(fc.property(day, (d) => assert.equal(parseIsoDate(toIsoDate(d)), d)), RUNS);
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 10, max: 99 }).map((c) => c * 100)),
      fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constant(2)),
      fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(29, 30, 31)),
      (year, month, dd) => {
      const t = new Date(Date.UTC(year, month - 1, dd));
      const real = month >= 1 && month <= 12 && dd >= 1 && t.getUTCMonth() === month - 1 && t.getUTCDate() === dd;
      assert.equal(parseIsoDate(toIsoDate({ year, month, day: dd })), real ? { year, month, day: dd } : undefined);
      },
    ),
    RUNS,
  );
});

test("in every zone, adding n days is undone by subtracting them and is n nights long", () => {
  for (const zone of ZONES)
    inZone(zone, () =>
      fc.assert(
        fc.property(day, fc.integer({ min: -3_650, max: 3_650 }), (d, n) => {
          const later = addDays(d, n);
          if (later.year < 1000 || later.year > 9999) return;
          assert.is(daysBetween(d, later), n, `${zone} ${toIsoDate(d)} + ${n}`);
          assert.equal(addDays(later, -n), d);
        }),
        RUNS_PER_ZONE,
      ),
    );
});

test("in every zone, today is the calendar day the zone's clock shows, and the default stay is a week away and 3 nights long", () => {
  for (const zone of ZONES)
    inZone(zone, () =>
      fc.assert(
        fc.property(instant, (now) => {
          const shown = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
          const today = localToday(now);
          assert.is(toIsoDate(today), shown, `${zone} ${now.toISOString()}`);
          const stay = defaultStay(today);
          assert.is(daysBetween(today, stay.checkIn), 7);
          assert.is(daysBetween(stay.checkIn, stay.checkOut), 3);
        }),
        RUNS_PER_ZONE,
      ),
    );
});

test("a stay is searchable exactly when check-in is not past and it lasts 1 to 30 nights; otherwise the right field says why", () => {
  fc.assert(
    fc.property(day, fc.integer({ min: -40, max: 40 }), fc.integer({ min: -5, max: 40 }), (today, ahead, nights) => {
      const checkIn = addDays(today, ahead);
      const problems = stayProblems(checkIn, addDays(checkIn, nights), today);
      assert.is("check_in" in problems, ahead < 0);
      assert.is("check_out" in problems, nights < 1 || nights > MAX_NIGHTS);
    }),
    RUNS,
  );
});

test.run();
