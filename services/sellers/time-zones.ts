// Local wall-clock times at an airport ("2026-12-01T08:15" in Europe/Lisbon)
// → UTC instants. ICU (Intl.DateTimeFormat with a timeZone) knows every IANA
// zone's offsets; no time-zone library is needed. Around a change of offset
// it resolves like Temporal's "compatible" disambiguation: a time that occurs
// twice (clocks going back) is the earlier instant; a time that does not exist
// (clocks going forward) is moved forward by the gap.
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_MS = 86_400_000;

/** One per adapter: it caches a formatter per zone (they are costly to build). */
export class TimeZones {
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();

  /** True when ICU knows `zone`. */
  isKnown(zone: string): boolean {
    try {
      this.formatter(zone);
      return true;
    } catch {
      return false;
    }
  }

  /** The zone's offset from UTC at `instantMs`, in milliseconds (Lisbon in summer: +3 600 000). */
  offsetMs(instantMs: number, zone: string): number {
    const parts: Record<string, number> = {};
    for (const p of this.formatter(zone).formatToParts(instantMs)) {
      if (p.type !== "literal") parts[p.type] = Number(p.value);
    }
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return wall - Math.floor(instantMs / 1000) * 1000;
  }

  /** "2026-12-01T08:15" (seconds optional) at `zone` → the instant, as epoch milliseconds. */
  toInstantMs(localTime: string, zone: string): number {
    const m = LOCAL_TIME.exec(localTime);
    if (!m) throw new RangeError(`"${localTime}" is not a local time (YYYY-MM-DDTHH:MM)`);
    const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
    const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
    const check = new Date(wall);
    if (check.getUTCDate() !== day || check.getUTCMonth() !== month! - 1 || hour! > 23 || minute! > 59 || second! > 59) {
      throw new RangeError(`"${localTime}" is not a real local time`);
    }
    // The offsets a day either side cover any single change of offset on this day.
    const before = this.offsetMs(wall - DAY_MS, zone);
    const after = this.offsetMs(wall + DAY_MS, zone);
    const candidates = [wall - before, wall - after].filter((t) => this.offsetMs(t, zone) === wall - t);
    if (candidates.length > 0) return Math.min(...candidates);
    return wall - before; // in the gap: the offset before the change moves it forward
  }

  private formatter(zone: string): Intl.DateTimeFormat {
    let f = this.formatters.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
      this.formatters.set(zone, f);
    }
    return f;
  }
}
