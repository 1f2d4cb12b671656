// Which successful calls a process writes a line for (the request logging
// middleware asks; platform/logger.ts gives each process's logger one
// sampler). A search touches seven processes, and one info line per call in
// each cost more CPU than some of the calls themselves, while the counts and
// durations of every call are already in the RED metrics. So:
//   - every failure is logged (the middleware does not ask), with its ids;
//   - every call slower than `slowMs` is logged, as a warning;
//   - the successes of one trace in `successOneIn` are logged at info,
//     decided by the trace id, so that every service agrees and a sampled
//     request shows all its hops;
//   - beyond those, up to `successesPerSecond` other successes a second, so
//     that a quiet process (a developer's machine, a test, the night) still
//     shows every call and only a busy one is sampled;
//   - the rest at debug: LOG_LEVEL=debug shows every call again.
// A support engineer looking for a failed or slow request finds it by its
// request id or trace id; a successful one can be found while its trace was
// sampled or the process was quiet.

export interface SuccessSamplingOptions {
  /** One trace in this many has its successful calls logged at info (1: every trace, 0: none). Default 100. */
  successOneIn: number;
  /** Other successful calls logged at info per second, whatever the sample. Default 10. */
  successesPerSecond: number;
  /** A call at least this slow (ms) is always logged, at warn. Default 250: five times the p99 a whole search aims at. */
  slowMs: number;
  /** The clock of the per-second budget, epoch ms (tests). */
  now?: () => number;
}

export const DEFAULT_SUCCESS_SAMPLING: Readonly<SuccessSamplingOptions> = {
  successOneIn: 100,
  successesPerSecond: 10,
  slowMs: 250,
};

/** Where a successful call's line goes. */
export type SuccessLevel = "warn" | "info" | "debug";

export class SuccessSampler {
  readonly slowMs: number;
  /** A trace is sampled when the last 8 hex digits of its id, as a number, are below this. */
  private readonly threshold: number;
  private readonly perSecond: number;
  private readonly now: () => number;
  private second = -1;
  private used = 0;

  constructor(opts: Partial<SuccessSamplingOptions> = {}) {
    const o = { ...DEFAULT_SUCCESS_SAMPLING, ...opts };
    for (const key of ["successOneIn", "successesPerSecond"] as const) {
      if (!(Number.isInteger(o[key]) && o[key] >= 0)) throw new Error(`${key} must be a whole number, 0 or more, not ${o[key]}`);
    }
    if (!(o.slowMs >= 0)) throw new Error(`slowMs must be 0 or more, not ${o.slowMs}`);
    this.slowMs = o.slowMs;
    this.threshold = o.successOneIn === 0 ? 0 : 2 ** 32 / o.successOneIn;
    this.perSecond = o.successesPerSecond;
    this.now = o.now ?? Date.now;
  }

  /**
   * The level of a successful call's line. `traceId` (32 hex digits; the
   * W3C trace id's right part is random) decides the sample; without one, a
   * random draw at the same rate.
   */
  levelOf(traceId: string | undefined, durationMs: number): SuccessLevel {
    if (durationMs >= this.slowMs) return "warn";
    const draw = traceId === undefined ? Math.random() * 2 ** 32 : parseInt(traceId.slice(-8), 16);
    if (draw < this.threshold) return "info";
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.used = 0;
    }
    if (this.used >= this.perSecond) return "debug";
    this.used++;
    return "info";
  }
}
