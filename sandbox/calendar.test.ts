import { test } from "uvu";
import * as assert from "uvu/assert";
import { dateOf, dayNumber, weekday, ZoneClock } from "./calendar.js";

test("dates round-trip through day numbers; impossible dates are refused", () => {
  assert.is(dayNumber("1970-01-01"), 0);
  assert.is(dateOf(dayNumber("2028-02-29")!), "2028-02-29");
  for (const bad of ["2026-02-29", "2026-13-01", "2026-1-1", "tomorrow", ""]) assert.is(dayNumber(bad), undefined, bad);
  assert.is(weekday(dayNumber("2026-03-20")!), 5, "a Friday");
});

test("local times convert between zones, summer time included", () => {
  const clock = new ZoneClock();
  const day = dayNumber("2026-07-01")!;
  // 10:00 in Lisbon (UTC+1 in summer) is 18:00 in Tokyo (UTC+9) and 05:00 in New York (UTC-4).
  assert.is(clock.shift("Europe/Lisbon", day, 600, 0, "Asia/Tokyo"), "2026-07-01T18:00");
  assert.is(clock.shift("Europe/Lisbon", day, 600, 0, "America/New_York"), "2026-07-01T05:00");
  // A night flight lands the next day.
  assert.is(clock.shift("America/New_York", day, 22 * 60, 7 * 60, "Europe/London"), "2026-07-02T10:00");
  // In winter Lisbon is UTC+0.
  assert.is(clock.shift("Europe/Lisbon", dayNumber("2026-01-15")!, 600, 0, "UTC"), "2026-01-15T10:00");
  // On the morning after the spring change (29 March 2026) London is UTC+1.
  assert.is(clock.shift("Europe/London", dayNumber("2026-03-29")!, 8 * 60, 0, "UTC"), "2026-03-29T07:00");
});

test.run();
