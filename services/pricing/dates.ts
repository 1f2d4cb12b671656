// Calendar dates as pricing handles them: "YYYY-MM-DD" strings (what
// PostgreSQL's date type reads and, cast to text, writes) and
// itinera.type.v1.Date messages. Arithmetic in UTC, where every day has 24 hours.
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";

const DAY_MS = 86_400_000;

export type IsoDate = string;

export function isoDate(d: Pick<CalendarDate, "year" | "month" | "day">): IsoDate {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** An itinera.type.v1.Date (as its init shape). */
export function dateMessage(iso: IsoDate): { year: number; month: number; day: number } {
  const [year, month, day] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day };
}

/** The UTC calendar day of an instant. */
export function utcDay(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10);
}

export function addDays(iso: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday, as CEL's getDayOfWeek. */
export function weekday(iso: IsoDate): number {
  return new Date(`${iso}T00:00:00Z`).getUTCDay();
}
