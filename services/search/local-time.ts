// Instants shown as an airport's local time: RFC 3339 with that zone's
// offset at that instant ("2026-12-01T08:15:00+00:00", "2026-07-01T09:15:00+01:00"),
// computed by ICU through Intl.DateTimeFormat (daylight saving included).

/** Formats instants in IANA zones; keeps one Intl formatter per zone it has seen. */
export class LocalTimes {
  readonly #formatters = new Map<string, Intl.DateTimeFormat>();

  /** `instant` in `timeZone` as RFC 3339 with the offset. Throws RangeError for an unknown zone. */
  format(instant: Date, timeZone: string): string {
    const parts: Record<string, string> = {};
    for (const p of this.#formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    const time = `${parts.hour}:${parts.minute}:${parts.second}`;
    return `${date}T${time}${offsetOf(parts.timeZoneName ?? "GMT")}`;
  }

  #formatter(timeZone: string): Intl.DateTimeFormat {
    let f = this.#formatters.get(timeZone);
    if (f === undefined) {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZoneName: "longOffset",
      });
      this.#formatters.set(timeZone, f);
    }
    return f;
  }
}

/** "GMT+05:30" → "+05:30"; "GMT" (ICU's zero offset) → "+00:00". */
function offsetOf(name: string): string {
  const m = /^GMT([+-]\d{2}:\d{2})?$/.exec(name.replace("\u2212", "-"));
  if (!m) throw new RangeError(`unexpected zone offset ${JSON.stringify(name)}`);
  return m[1] ?? "+00:00";
}
