// A token bucket: `burst` requests at once, refilled at `ratePerSec`. A seller
// answers 429 with Retry-After (whole seconds, at least 1) when it is empty.

export interface ThrottleOptions {
  /** Tokens added per second; default 50. */
  ratePerSec?: number;
  /** Bucket size; default 100. */
  burst?: number;
  /** Clock in ms; default Date.now (tests may pass a fake). */
  now?: () => number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSec: number };

export class TokenBucket {
  readonly ratePerSec: number;
  readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private updatedAt: number;

  constructor(opts: ThrottleOptions = {}) {
    this.ratePerSec = opts.ratePerSec ?? 50;
    this.burst = opts.burst ?? 100;
    if (!(this.ratePerSec > 0) || !(this.burst >= 1)) throw new Error("throttle needs ratePerSec > 0 and burst >= 1");
    this.now = opts.now ?? Date.now;
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  /** Takes one token, or says how long until one is back. */
  take(): Admission {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerSec)) };
  }

  /** Full again. */
  reset(): void {
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.ratePerSec);
    this.updatedAt = t;
  }
}
