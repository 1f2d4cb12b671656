import { test } from "uvu";
import * as assert from "uvu/assert";
import { addDays, daysBetween, defaultStay, formatDate, nightsLabel, parseIsoDate, stayProblems, toIsoDate } from "./dates.js";

const d = (year: number, month: number, day: number) => ({ year, month, day });

test("ISO dates are read and written", () => {
  assert.equal(parseIsoDate("2026-12-01"), d(2026, 12, 1));
  assert.is(toIsoDate(d(2026, 3, 9)), "2026-03-09");
  assert.is(toIsoDate(parseIsoDate("2028-02-29")!), "2028-02-29");
});

test("dates that do not exist are refused", () => {
  for (const bad of ["2026-02-30", "2027-02-29", "2026-13-01", "2026-1-1", "01/12/2026", "", null, undefined]) {
    assert.is(parseIsoDate(bad), undefined, String(bad));
  }
});

test("adding days crosses months, years and daylight-saving changes", () => {
  assert.equal(addDays(d(2026, 12, 30), 3), d(2027, 1, 2));
  assert.equal(addDays(d(2028, 2, 28), 1), d(2028, 2, 29));
  assert.equal(addDays(d(2026, 3, 28), 2), d(2026, 3, 30), "Europe's spring change on 29 March");
  assert.equal(addDays(d(2026, 1, 1), -1), d(2025, 12, 31));
  assert.is(daysBetween(d(2026, 3, 28), d(2026, 3, 31)), 3);
  assert.is(daysBetween(d(2026, 12, 31), d(2026, 12, 1)), -30);
});

test("the default stay starts a week ahead and lasts three nights", () => {
  const { checkIn, checkOut } = defaultStay(d(2026, 12, 28));
  assert.equal(checkIn, d(2027, 1, 4));
  assert.equal(checkOut, d(2027, 1, 7));
});

test("stays are checked field by field", () => {
  const today = d(2026, 6, 1);
  assert.equal(stayProblems(d(2026, 6, 1), d(2026, 6, 2), today), {});
  assert.equal(Object.keys(stayProblems(undefined, undefined, today)).sort(), ["check_in", "check_out"]);
  assert.match(stayProblems(d(2026, 5, 31), d(2026, 6, 2), today).check_in ?? "", /past/);
  assert.match(stayProblems(d(2026, 6, 5), d(2026, 6, 5), today).check_out ?? "", /after check-in/);
  assert.match(stayProblems(d(2026, 6, 5), d(2026, 7, 6), today).check_out ?? "", /30 nights/);
  assert.equal(stayProblems(d(2026, 6, 5), d(2026, 7, 5), today), {}, "30 nights is allowed");
});

test("dates and nights read as words", () => {
  assert.is(formatDate(d(2026, 12, 1)), "Tue, 1 Dec 2026");
  assert.is(formatDate(undefined), "");
  assert.is(nightsLabel(1), "1 night");
  assert.is(nightsLabel(3), "3 nights");
});

test.run();
