// Properties of search's dates and times: a stay is accepted exactly when it
// starts today or later by the service's clock (any instant, midnight edges
// included) and lasts 1 to 30 nights; and a flight time written in an
// airport's zone names the very instant it was given, across DST changes.
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SearchHotelsRequestSchema } from "../../gen/itinera/search/v1/search_pb.js";
import { isoDay, utcDay } from "./dates.js";
import { LocalTimes } from "./local-time.js";
import { MAX_NIGHTS, searchValidators } from "./validators.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const HOUR = 3_600_000;
const instant = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2040-01-01T00:00:00Z"), noInvalidDate: true });
/** The last and first milliseconds of a UTC day, where "today" changes. */
const nearMidnight = fc.tuple(instant, fc.integer({ min: -2, max: 1 })).map(([t, ms]) => new Date(Math.floor(t.getTime() / 86_400_000) * 86_400_000 + ms));
const dayOf = (iso: string) => {
  const [year, month, day] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day };
};

test("a hotel stay is refused exactly when check-in is before today (UTC, by the clock) or it is not 1 to 30 nights", () => {
  fc.assert(
    fc.property(fc.oneof(instant, nearMidnight), fc.integer({ min: -3, max: 400 }), fc.integer({ min: -3, max: 40 }), (now, ahead, nights) => {
      const today = utcDay(now);
      const checkIn = dayOf(isoDay(today, ahead));
      const checkOut = dayOf(isoDay(today, ahead + nights));
      const validate = searchValidators({ now: () => now }).searchHotels!;
      const fields = validate(create(SearchHotelsRequestSchema, { query: { query: "Lisbon", checkIn, checkOut } })).map((v) => `${v.field}:${v.rule}`);
      const expected = [
        ...(ahead < 0 ? ["query.check_in:not_past"] : []),
        ...(nights < 1 ? ["query.check_out:date_order"] : nights > MAX_NIGHTS ? ["query.check_out:max_nights"] : []),
      ];
      assert.equal(fields, expected, `${now.toISOString()} +${ahead} for ${nights}`);
    }),
    RUNS,
  );
});

// Zones with a DST change of an hour (both hemispheres), of half an hour, none, a 45-minute offset, and one that skipped a day.
const ZONES = ["Europe/Lisbon", "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia", "UTC"];
/** Instants around DST changes: a few hours either side of 01:00 UTC on the last Sunday of March and October, and of Apia's skipped day. */
const aroundChanges = fc
  .tuple(fc.constantFrom("2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z", "2026-04-04T15:00:00Z", "2011-12-30T10:00:00Z"), fc.integer({ min: -3 * HOUR, max: 3 * HOUR }))
  .map(([at, delta]) => new Date(Date.parse(at) + delta));

test("a time written in an airport's zone is the same instant (to the second), with the zone's offset at that instant", () => {
  const times = new LocalTimes();
  fc.assert(
    fc.property(fc.oneof(instant, aroundChanges), fc.constantFrom(...ZONES), (at, zone) => {
      const text = times.format(at, zone);
      assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      assert.is(Date.parse(text), Math.floor(at.getTime() / 1000) * 1000, `${at.toISOString()} in ${zone} → ${text}`);
    }),
    RUNS,
  );
});

test.run();
