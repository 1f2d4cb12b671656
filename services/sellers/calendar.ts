// Calendar dates as sellers write them ("2026-12-01") and as the contracts
// carry them (itinera.type.v1.Date), and the arithmetic a stay needs. A date
// has no time zone: day arithmetic runs on UTC midnights, which never shift.
import { create } from "@bufbuild/protobuf";
import { DateSchema, type Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** "2026-12-01" → Date message; throws on anything that is not a real calendar day. */
export function parseDate(text: string): CalendarDate {
  const m = ISO_DATE.exec(text);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  const utc = new Date(Date.UTC(year, month - 1, day));
  if (!m || utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) {
    throw new RangeError(`"${text}" is not a date (YYYY-MM-DD)`);
  }
  return create(DateSchema, { year, month, day });
}

/** Date message → "2026-12-01". */
export function formatDate(d: { year: number; month: number; day: number }): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

function toUtcMs(d: { year: number; month: number; day: number }): number {
  return Date.UTC(d.year, d.month - 1, d.day);
}

function fromUtcMs(ms: number): CalendarDate {
  const t = new Date(ms);
  return create(DateSchema, { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() });
}

/** The date `days` days after `d` (before, when negative). */
export function addDays(d: CalendarDate, days: number): CalendarDate {
  return fromUtcMs(toUtcMs(d) + days * DAY_MS);
}

/** Whole days from `from` to `to` (a stay's nights from check-in to check-out). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** The UTC calendar date of an instant ("today" for the rate window). */
export function utcDateOf(instant: Date): CalendarDate {
  return fromUtcMs(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}
