// Properties of pricing's ISO dates (the rates' nights): message and text
// round-trip, adding days and counting them agree, and weekdays (what CEL
// promotions test) advance one a day whatever daylight saving does locally.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { addDays, dateMessage, daysBetween, isoDate, weekday } from "./dates.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const day = fc
  .date({ min: new Date("1000-01-01T00:00:00Z"), max: new Date("9990-12-31T00:00:00Z"), noInvalidDate: true })
  .map((t) => t.toISOString().slice(0, 10));

test("a date's text and message round-trip", () => {
  fc.assert(fc.property(day, (iso) => assert.is(isoDate(dateMessage(iso)), iso)), RUNS);
});

test("n days later is n days between, n days back is the same day, and the weekday moves by n mod 7", () => {
  fc.assert(
    fc.property(day, fc.integer({ min: -1_000, max: 1_000 }), (iso, n) => {
      const later = addDays(iso, n);
      assert.is(daysBetween(iso, later), n);
      assert.is(addDays(later, -n), iso);
      assert.is(weekday(later), (((weekday(iso) + n) % 7) + 7) % 7);
    }),
    RUNS,
  );
});

test.run();
