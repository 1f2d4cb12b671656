// Calendar dates as the pages use them: "YYYY-MM-DD" in URLs and date inputs,
// itinera.type.v1.Date {year, month, day} on the wire. Arithmetic is done on
// UTC midnights so that a daylight-saving change never moves a date.
import { LOCALE } from "./money.js";

/** A calendar date with no zone (the shape of itinera.type.v1.Date). */
export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;

/** "2026-12-01" → {2026, 12, 1}; undefined for anything that is not a real date. */
export function parseIsoDate(text: string | null | undefined): DateParts | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const back = new Date(Date.UTC(year, month - 1, day));
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** {2026, 12, 1} → "2026-12-01". */
export function toIsoDate(date: DateParts): string {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** The date in the browser's own calendar (what "today" means to the traveller). */
export function localToday(now: Date = new Date()): DateParts {
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}

const utcMs = (d: DateParts) => Date.UTC(d.year, d.month - 1, d.day);

/** The date n days later (or earlier for a negative n). */
export function addDays(date: DateParts, days: number): DateParts {
  const moved = new Date(utcMs(date) + days * DAY_MS);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Whole days from a to b (the nights of a stay from check-in to check-out). */
export const daysBetween = (a: DateParts, b: DateParts): number => Math.round((utcMs(b) - utcMs(a)) / DAY_MS);

/** "Tue 1 Dec 2026". */
export function formatDate(date: DateParts | undefined): string {
  if (!date || !date.year) return "";
  return new Intl.DateTimeFormat(LOCALE, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(utcMs(date)));
}

/** "3 nights". */
export const nightsLabel = (nights: number): string => `${nights} ${nights === 1 ? "night" : "nights"}`;

/** The search form's first guess: a stay starting a week from today, three nights long. */
export function defaultStay(today: DateParts = localToday()): { checkIn: DateParts; checkOut: DateParts } {
  const checkIn = addDays(today, 7);
  return { checkIn, checkOut: addDays(checkIn, 3) };
}

/** The longest stay search accepts (search.v1.HotelQuery.check_out). */
export const MAX_NIGHTS = 30;

/**
 * What is wrong with a stay, per field (check_in, check_out), in the words the
 * form shows next to the inputs; empty when the stay can be searched.
 */
export function stayProblems(
  checkIn: DateParts | undefined,
  checkOut: DateParts | undefined,
  today: DateParts = localToday(),
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!checkIn) problems.check_in = "Choose a check-in date.";
  else if (daysBetween(today, checkIn) < 0) problems.check_in = "Check-in cannot be in the past.";
  if (!checkOut) problems.check_out = "Choose a check-out date.";
  else if (checkIn && daysBetween(checkIn, checkOut) < 1) problems.check_out = "Check-out must be after check-in.";
  else if (checkIn && daysBetween(checkIn, checkOut) > MAX_NIGHTS) problems.check_out = `A stay can be at most ${MAX_NIGHTS} nights.`;
  return problems;
}
