// Rate limit (server side): a token bucket per key (a principal, a method,
// both). Each call takes a token; tokens come back at `ratePerSecond` up to
// `burst`. A call that finds the bucket empty fails with ResourceExhausted
// carrying retryAfterMs, the time until a token is back. Buckets live in a
// Map bounded by `maxKeys`, least recently used evicted first: a bucket left
// alone refills, so forgetting an idle one loses nothing, and memory cannot
// grow with the number of callers. A stream takes its token when opened.
//
// Hand-written rather than a library: the bucket is a few lines of
// arithmetic, and the kit needs an injected clock and a bounded key space.
import { resourceExhausted } from "../errors.js";
import type { Context } from "../context.js";
import type { MethodInfo, Middleware } from "../endpoint.js";

export interface RateLimitOptions {
  /** Tokens returned per second (the sustained rate). */
  ratePerSecond: number;
  /** The bucket's size: calls allowed at once after a quiet spell. */
  burst: number;
  /** The bucket a call draws from, e.g. `(ctx) => ctx.principal?.id ?? "anonymous"`. */
  key: (ctx: Context, info: MethodInfo) => string;
  /** Milliseconds; default Date.now (a monotonic clock is fine too). */
  now?: () => number;
  /** Buckets kept at most. Default 10 000. */
  maxKeys?: number;
}

export interface RateLimitMiddleware extends Middleware {
  /** How many buckets are kept now (for metrics and tests). */
  size(): number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

/** Per-key token buckets behind a small API, usable outside the middleware too. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1) || !(maxKeys >= 1)) {
      throw new Error("rate limit: ratePerSecond must be > 0, burst >= 1 and maxKeys >= 1");
    }
    this.perMs = ratePerSecond / 1000;
  }

  /** Takes a token from `key`'s bucket: 0 when taken, otherwise the ms until one is available. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    // Re-insert so that the Map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    // Whole milliseconds, rounded up, without float noise turning 300 into 301.
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs - 1e-9));
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) return;
      this.buckets.delete(key);
    }
  }
}

export function ratelimit(opts: RateLimitOptions): RateLimitMiddleware {
  const buckets = new TokenBuckets(opts.ratePerSecond, opts.burst, opts.maxKeys ?? 10_000, opts.now ?? Date.now);

  const middleware: Middleware = (next, info) => async (ctx, req) => {
    const waitMs = buckets.take(opts.key(ctx, info));
    if (waitMs > 0) {
      throw resourceExhausted(`rate limit exceeded for ${info.procedure}; try again in ${waitMs} ms`, waitMs);
    }
    return next(ctx, req);
  };

  return Object.assign(middleware, { size: () => buckets.size });
}
