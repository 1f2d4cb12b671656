// Calendar dates ("YYYY-MM-DD") as day numbers, and local wall-clock times in
// IANA time zones (from Node's built-in ICU through Intl), without a library:
// the sandbox only needs "this local time there is which local time here".

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid "YYYY-MM-DD", or undefined. */
export function dayNumber(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = ms / DAY_MS;
  return dateOf(day) === date ? day : undefined;
}

/** "YYYY-MM-DD" of a day number. */
export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (day + 4) % 7;
}

/** 0 = January … 11 = December. */
export function monthOf(day: number): number {
  return new Date(day * DAY_MS).getUTCMonth();
}

/** Today's UTC date. */
export function utcToday(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** "YYYY-MM-DDTHH:MM" of milliseconds read as a wall clock (no zone). */
function wallClock(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/**
 * Converts local times between zones. Each instance caches one formatter per
 * zone and one offset per zone and UTC hour (offsets change on the hour in
 * every zone the sandbox uses), so converting a whole schedule stays cheap.
 */
export class ZoneClock {
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();
  private readonly offsets = new Map<string, number>();

  /** The zone's offset from UTC in ms at a UTC instant. */
  offsetMs(timeZone: string, utcMs: number): number {
    const hour = Math.floor(utcMs / 3_600_000);
    const key = `${timeZone}|${hour}`;
    let offset = this.offsets.get(key);
    if (offset === undefined) {
      offset = this.computeOffset(timeZone, hour * 3_600_000);
      this.offsets.set(key, offset);
    }
    return offset;
  }

  /** The UTC instant (ms) of a local wall-clock time (ms read as UTC) in a zone. */
  toUtc(timeZone: string, localMs: number): number {
    const guess = localMs - this.offsetMs(timeZone, localMs);
    return localMs - this.offsetMs(timeZone, guess);
  }

  /** "YYYY-MM-DDTHH:MM" in the zone at a UTC instant. */
  local(timeZone: string, utcMs: number): string {
    return wallClock(utcMs + this.offsetMs(timeZone, utcMs));
  }

  /** The local time in `toZone` when it is `localDate` `minutes` past midnight in `fromZone`, plus `addMinutes`. */
  shift(fromZone: string, day: number, minutes: number, addMinutes: number, toZone: string): string {
    const utc = this.toUtc(fromZone, day * DAY_MS + minutes * 60_000);
    return this.local(toZone, utc + addMinutes * 60_000);
  }

  private computeOffset(timeZone: string, utcMs: number): number {
    let f = this.formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      });
      this.formatters.set(timeZone, f);
    }
    const parts: Record<string, number> = {};
    for (const p of f.formatToParts(new Date(utcMs))) if (p.type !== "literal") parts[p.type] = Number(p.value);
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
    return asUtc - utcMs;
  }
}

/** "08:15" of minutes past midnight. */
export function clockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** "YYYY-MM-DDTHH:MM" of a day number and minutes past midnight. */
export function localDateTime(day: number, minutes: number): string {
  return `${dateOf(day)}T${clockTime(minutes)}`;
}
