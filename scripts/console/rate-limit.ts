// At most `perWindow` warning/error lines per process per window (10 s): a
// storm of warnings from one process cannot flood the terminal. What is held
// back is counted and told once the window is over, with where to read it.

export interface RateLimitOptions {
  perWindow: number;
  windowMs: number;
  /** Where the held-back lines are, for the summary: ".data/logs/pricing.log". */
  logFileOf: (name: string) => string;
}

interface Window {
  start: number;
  shown: number;
  held: { warn: number; error: number };
}

export class LineLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly opts: RateLimitOptions) {}

  /**
   * Whether a line of `name` may be shown at `now`; the summary of the window
   * that ended before it (if any lines were held back) comes first in `before`.
   */
  admit(name: string, kind: "warn" | "error", now: number): { show: boolean; before?: string } {
    const before = this.close(name, now);
    const w = this.windows.get(name) ?? { start: now, shown: 0, held: { warn: 0, error: 0 } };
    this.windows.set(name, w);
    if (w.shown < this.opts.perWindow) {
      w.shown++;
      return { show: true, ...(before ? { before } : {}) };
    }
    w.held[kind]++;
    return { show: false, ...(before ? { before } : {}) };
  }

  /** The summaries of every window over at `now` (a timer calls this so a storm's tail is told without a next line). */
  flush(now: number): { name: string; line: string }[] {
    return [...this.windows.keys()].flatMap((name) => {
      const line = this.close(name, now);
      return line ? [{ name, line }] : [];
    });
  }

  private close(name: string, now: number): string | undefined {
    const w = this.windows.get(name);
    if (!w || now - w.start < this.opts.windowMs) return undefined;
    this.windows.delete(name);
    const { warn, error } = w.held;
    if (warn + error === 0) return undefined;
    const more = (n: number, what: string) => (n ? `${n.toLocaleString("en")} more ${what}${n > 1 ? "s" : ""}` : "");
    const what = [more(error, "error"), more(warn, "warning")].filter(Boolean).join(" and ");
    return `… ${what} in ${Math.round(this.opts.windowMs / 1000)} s, see ${this.opts.logFileOf(name)}`;
  }
}
