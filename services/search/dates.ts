// Calendar dates (itinera.type.v1.Date) as search needs them: today by the
// injected clock (a UTC date), comparisons and the nights between two dates.

/** A calendar date's fields, as in itinera.type.v1.Date. */
export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DAY_MS = 86_400_000;

/** The UTC calendar date of `instant`. */
export function utcDay(instant: Date): CalendarDay {
  return { year: instant.getUTCFullYear(), month: instant.getUTCMonth() + 1, day: instant.getUTCDate() };
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDay, to: CalendarDay): number {
  return Math.round((epochDay(to) - epochDay(from)) / DAY_MS);
}

function epochDay(d: CalendarDay): number {
  const ms = Date.UTC(d.year, d.month - 1, d.day);
  // Date.UTC maps years 0–99 to 1900–1999; put them back.
  return d.year < 100 ? new Date(ms).setUTCFullYear(d.year) : ms;
}

/** `d` plus `days` as an ISO date ("2027-01-03"); years from 1000 on (what the validators let through). */
export function isoDay(d: CalendarDay, days = 0): string {
  return new Date(Date.UTC(d.year, d.month - 1, d.day + days)).toISOString().slice(0, 10);
}
