// The client side of a seller's throttle: a token bucket set below the
// seller's published limit, so that we never earn a 429 in the first place,
// and a pause when the seller answers 429 with Retry-After anyway. A call
// waits for its token as long as its deadline (and `maxWaitMs`) allows;
// otherwise it fails at once with ResourceExhausted and is never sent.
// The bucket is PER REPLICA (in this process's memory): N replicas of sellers
// may send a seller N × SELLERS_THROTTLE_RPS, so a deployment sets the rate to
// the seller's limit divided by sellers' most replicas (the HPA's
// maxReplicas; README "Deployment"). Syncs, the bulk of the calls, run on one
// replica at a time per seller (scheduler.ts's job lock); a 429 that still
// comes pauses the replica that got it.
import { setTimeout as sleep } from "node:timers/promises";
import { remainingMs, type Context } from "../../endpoints/context.js";
import { canceled, resourceExhausted } from "../../endpoints/errors.js";
import { TokenBuckets } from "../../endpoints/middleware/ratelimit.js";

export interface ThrottleOptions {
  /** Requests per second we allow ourselves (below the seller's limit). */
  ratePerSecond: number;
  /** Requests at once after a quiet spell. */
  burst: number;
  /** The longest a call waits for a token, deadline permitting. Default 2000 ms. */
  maxWaitMs?: number;
  /** Milliseconds; default Date.now. */
  now?: () => number;
}

export class SellerThrottle {
  private readonly buckets: TokenBuckets;
  private readonly now: () => number;
  private readonly maxWaitMs: number;
  /** Until when the seller asked us to stay away (429 + Retry-After). */
  private pausedUntil = 0;

  constructor(
    private readonly sellerId: string,
    opts: ThrottleOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.maxWaitMs = opts.maxWaitMs ?? 2000;
    this.buckets = new TokenBuckets(opts.ratePerSecond, opts.burst, 1, this.now);
  }

  /**
   * Waits out a pause the seller asked for and, when `takeToken` (a throttled
   * endpoint), takes a token, waiting for one when the wait fits the call's
   * deadline and maxWaitMs.
   */
  async acquire(ctx: Context, takeToken = true): Promise<void> {
    for (;;) {
      const now = this.now();
      const waitMs =
        now < this.pausedUntil ? this.pausedUntil - now : takeToken ? this.buckets.take(this.sellerId) : 0;
      if (waitMs === 0) return;
      if (waitMs > Math.min(this.maxWaitMs, remainingMs(ctx, now))) {
        throw resourceExhausted(`${this.sellerId} is throttled: no request may be sent for ${waitMs} ms`, waitMs);
      }
      try {
        await sleep(waitMs, undefined, { signal: ctx.signal });
      } catch {
        throw canceled(`the call ended while waiting for ${this.sellerId}'s throttle`);
      }
    }
  }

  /** The seller said 429: send nothing before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}
