// What tests and demos can tell a sandbox seller, and what it counts:
// POST /admin/mode {"mode":"normal"|"slow"|"fail"|"down","delay_ms":N},
// GET /admin/mode, GET /admin/stats, POST /admin/reset (zero stats, mode normal,
// throttle full, bookings forgotten). The admin API itself is never slowed, failed or throttled.
import { HttpError, jsonReply, readBody, type Api } from "./http.js";
import type { TokenBucket } from "./throttle.js";

export const MODES = ["normal", "slow", "fail", "down"] as const;
export type Mode = (typeof MODES)[number];

/** The delay of "slow" when none is given. */
export const DEFAULT_SLOW_MS = 2_000;

/** Counters every seller keeps; a seller may add its own. */
export const BASE_COUNTERS = ["searches", "bookings", "booking_refusals", "throttled"] as const;

export class SellerAdmin {
  private currentMode: Mode = "normal";
  private currentDelayMs = 0;
  private readonly counters = new Map<string, number>();
  private readonly resetHooks: (() => void)[] = [];
  private calls = 0;

  constructor(extraCounters: readonly string[] = []) {
    for (const name of [...BASE_COUNTERS, ...extraCounters]) this.counters.set(name, 0);
  }

  get mode(): Mode {
    return this.currentMode;
  }

  /** How long "slow" waits before each API call. */
  get delayMs(): number {
    return this.currentDelayMs;
  }

  setMode(mode: Mode, delayMs?: number): void {
    this.currentMode = mode;
    this.currentDelayMs = mode === "slow" ? (delayMs ?? DEFAULT_SLOW_MS) : 0;
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  /** API calls being answered now (not admin ones): what a test waits on to know a slow call has arrived. */
  get inFlight(): number {
    return this.calls;
  }

  /** Counts an API call as in flight until `answering` settles. */
  async track<T>(answering: Promise<T>): Promise<T> {
    this.calls++;
    try {
      return await answering;
    } finally {
      this.calls--;
    }
  }

  stats(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  /** Runs `fn` on every reset (state a seller keeps beside the counters, e.g. its bookings). */
  onReset(fn: () => void): void {
    this.resetHooks.push(fn);
  }

  reset(): void {
    for (const name of this.counters.keys()) this.counters.set(name, 0);
    this.setMode("normal");
    for (const fn of this.resetHooks) fn();
  }
}

/** Parses {"mode": …, "delay_ms": …}; 400 naming what is wrong. */
export function parseModeRequest(body: string): { mode: Mode; delayMs?: number } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(400, "body must be JSON like {\"mode\":\"slow\",\"delay_ms\":500}");
  }
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (!MODES.includes(v.mode as Mode)) throw new HttpError(400, `"mode" must be one of ${MODES.join(", ")}`);
  const delay = v.delay_ms;
  if (delay !== undefined && (typeof delay !== "number" || !Number.isInteger(delay) || delay < 0 || delay > 600_000)) {
    throw new HttpError(400, "\"delay_ms\" must be an integer from 0 to 600000");
  }
  return { mode: v.mode as Mode, ...(delay === undefined ? {} : { delayMs: delay as number }) };
}

/** The admin routes of a seller; `extra` adds its own (e.g. push-now). */
export function adminApis(admin: SellerAdmin, throttle: TokenBucket, extra: Api[] = []): Api[] {
  const modeReply = () => jsonReply({ mode: admin.mode, delay_ms: admin.delayMs });
  return [
    {
      method: "POST",
      path: "/admin/mode",
      handle: async (req) => {
        const { mode, delayMs } = parseModeRequest(await readBody(req.raw));
        admin.setMode(mode, delayMs);
        return modeReply();
      },
    },
    { method: "GET", path: "/admin/mode", handle: modeReply },
    { method: "GET", path: "/admin/stats", handle: () => jsonReply(admin.stats()) },
    {
      method: "POST",
      path: "/admin/reset",
      handle: () => {
        admin.reset();
        throttle.reset();
        return jsonReply({ mode: admin.mode, delay_ms: admin.delayMs, stats: admin.stats() });
      },
    },
    ...extra,
  ];
}
