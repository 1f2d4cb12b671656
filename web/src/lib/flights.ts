// Flight times as search sends them: RFC 3339 with the airport's own offset
// ("2026-12-01T08:15:00+01:00"). A traveller reads the clock time of the
// airport, so the time is taken from the text itself, never converted to the
// browser's zone; the offset is shown next to it.
import { LOCALE } from "./money.js";

export interface LocalTime {
  /** "08:15" at the airport. */
  time: string;
  /** "UTC+01:00"; "UTC" for Z or +00:00. */
  offset: string;
  /** The airport's calendar date, "2026-12-01". */
  date: string;
  /** The instant, for durations. */
  epochMs: number;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseLocalTime(text: string): LocalTime | undefined {
  const match = RFC3339.exec(text.trim());
  const epochMs = Date.parse(text);
  if (!match || Number.isNaN(epochMs)) return undefined;
  const zone = match[3] ?? "Z";
  const offset = zone.toUpperCase() === "Z" || zone === "+00:00" || zone === "-00:00" ? "UTC" : `UTC${zone}`;
  return { time: match[2] ?? "", offset, date: match[1] ?? "", epochMs };
}

/** "2 h 35 min", "55 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Calendar days between two airport dates: arriving "the next day" is +1. */
export function dayShift(departDate: string, arriveDate: string): number {
  return Math.round((Date.parse(`${arriveDate}T00:00:00Z`) - Date.parse(`${departDate}T00:00:00Z`)) / 86_400_000);
}

/** "Tue 1 Dec" for an airport date "2026-12-01". */
export function formatShortDate(isoDate: string): string {
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms)) return isoDate;
  return new Intl.DateTimeFormat(LOCALE, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(ms);
}

export interface FlightTimes {
  depart: LocalTime | undefined;
  arrive: LocalTime | undefined;
  /** "2 h 35 min", or "" when a time is unreadable. */
  duration: string;
  /** "+1" when it lands the next day, "" on the same day. */
  shift: string;
}

export function flightTimes(departureLocal: string, arrivalLocal: string): FlightTimes {
  const depart = parseLocalTime(departureLocal);
  const arrive = parseLocalTime(arrivalLocal);
  if (!depart || !arrive) return { depart, arrive, duration: "", shift: "" };
  const days = dayShift(depart.date, arrive.date);
  return {
    depart,
    arrive,
    duration: formatDuration(arrive.epochMs - depart.epochMs),
    shift: days === 0 ? "" : days > 0 ? `+${days}` : `${days}`,
  };
}

/** "3 seats left", "1 seat left", "" when unknown. */
export function seatsLabel(seats: number): string {
  if (seats <= 0) return "";
  return `${seats} ${seats === 1 ? "seat" : "seats"} left`;
}
