import { test } from "uvu";
import * as assert from "uvu/assert";
import { dayShift, flightTimes, formatDuration, parseLocalTime, seatsLabel } from "./flights.js";

test("a local time keeps the airport's clock and offset", () => {
  const t = parseLocalTime("2026-12-01T08:15:00+01:00");
  assert.is(t?.time, "08:15");
  assert.is(t?.offset, "UTC+01:00");
  assert.is(t?.date, "2026-12-01");
  assert.is(t?.epochMs, Date.parse("2026-12-01T07:15:00Z"));
  assert.is(parseLocalTime("2026-12-01T08:15:00Z")?.offset, "UTC");
  assert.is(parseLocalTime("2026-12-01T08:15:00+00:00")?.offset, "UTC");
  assert.is(parseLocalTime("2026-12-01T23:05:00.000-05:00")?.offset, "UTC-05:00");
  assert.is(parseLocalTime("not a time"), undefined);
  assert.is(parseLocalTime("2026-12-01 08:15"), undefined, "no offset: the clock cannot be placed");
});

test("durations count real time across zones", () => {
  // 10:00 in Lisbon (UTC+0) to 13:30 in Frankfurt (UTC+1): 2 h 30 min in the air.
  const t = flightTimes("2026-12-01T10:00:00+00:00", "2026-12-01T13:30:00+01:00");
  assert.is(t.duration, "2 h 30 min");
  assert.is(t.shift, "");
  assert.is(formatDuration(55 * 60_000), "55 min");
  assert.is(formatDuration(120 * 60_000), "2 h");
});

test("an arrival on a later day is marked +1", () => {
  // 22:00 in New York (UTC-5) to 10:00 the next day in Lisbon.
  const t = flightTimes("2026-12-01T22:00:00-05:00", "2026-12-02T10:00:00+00:00");
  assert.is(t.shift, "+1");
  assert.is(t.duration, "7 h");
  assert.is(dayShift("2026-12-31", "2027-01-01"), 1);
  assert.is(flightTimes("2026-12-02T01:00:00+00:00", "2026-12-01T20:00:00-08:00").shift, "-1");
});

test("unreadable times give no duration", () => {
  assert.is(flightTimes("", "2026-12-01T10:00:00Z").duration, "");
});

test("seats left in words", () => {
  assert.is(seatsLabel(1), "1 seat left");
  assert.is(seatsLabel(9), "9 seats left");
  assert.is(seatsLabel(0), "");
});

test.run();
