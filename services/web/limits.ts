// The browser API's rate limit (endpoint layer): a token bucket per client
// address AND, when signed in, one per customer — a person makes about 2
// requests/s (DOMAIN.md), so ~2/s sustained with bursts of ~10 by default.
// Each call (a stream when it opens) takes a token from both; an empty bucket
// answers RESOURCE_EXHAUSTED with the wait until a token is back (the
// transport sends it as `retry-after-ms`). The address is checked first, so a
// call refused for its address costs the customer nothing. The buckets are
// PER REPLICA (this process's memory): behind N web pods a client may get up
// to N times the rate; it is a guard against floods, not a quota.
import type { Middleware } from "../../endpoints/endpoint.js";
import { resourceExhausted } from "../../endpoints/errors.js";
import { TokenBuckets } from "../../endpoints/middleware/ratelimit.js";

export interface WebRateLimitOptions {
  ratePerSecond: number;
  burst: number;
  now?: () => number;
  /** Buckets kept per kind at most (least recently used dropped). Default 10 000. */
  maxKeys?: number;
}

export function webRateLimit(opts: WebRateLimitOptions): Middleware {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const byAddress = new TokenBuckets(opts.ratePerSecond, opts.burst, maxKeys, now);
  const byCustomer = new TokenBuckets(opts.ratePerSecond, opts.burst, maxKeys, now);
  return (next) => async (ctx, req) => {
    let waitMs = byAddress.take(ctx.clientAddress ?? "unknown");
    if (waitMs === 0 && ctx.principal?.kind === "customer") waitMs = byCustomer.take(ctx.principal.id);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw resourceExhausted(`Too many requests: please wait ${seconds} ${seconds === 1 ? "second" : "seconds"} and try again.`, waitMs);
    }
    return next(ctx, req);
  };
}
