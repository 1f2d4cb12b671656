// Retry (client side): tries an idempotent call again when it failed with a
// code that says "try again", with exponential backoff and full jitter, never
// past the caller's deadline. Methods with side effects and streams are never
// retried: the middleware returns `next` unchanged for them at wiring time.
import { setTimeout as sleepFor } from "node:timers/promises";
import { asKitError, Code } from "../errors.js";
import type { Middleware } from "../endpoint.js";

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  /** The backoff ceiling of the first retry; doubles with each. Default 50 ms. */
  baseDelayMs?: number;
  /** The backoff ceiling never grows past this. Default 2000 ms. */
  maxDelayMs?: number;
  /** Codes worth another attempt. Default Unavailable, ResourceExhausted, Aborted. */
  retryableCodes?: readonly Code[];
  /** A number in [0, 1) for the jitter; default Math.random. */
  random?: () => number;
  /** Waits `ms` or rejects when `signal` aborts; default node:timers/promises. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The clock the deadline is compared with; default Date.now. */
  now?: () => number;
}

const DEFAULT_RETRYABLE = [Code.Unavailable, Code.ResourceExhausted, Code.Aborted];

/**
 * The delay before retry number `attempt` (0 for the first retry): full
 * jitter, random() * min(maxDelay, base * 2^attempt), or the server's
 * retry-after when that is longer.
 */
export function backoffMs(
  attempt: number,
  opts: { baseDelayMs: number; maxDelayMs: number; random: () => number; retryAfterMs?: number | undefined },
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  const jittered = opts.random() * ceiling;
  return Math.max(jittered, opts.retryAfterMs ?? 0);
}

export function retry(opts: RetryOptions = {}): Middleware {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const baseDelayMs = opts.baseDelayMs ?? 50;
  const maxDelayMs = opts.maxDelayMs ?? 2000;
  const retryable = new Set(opts.retryableCodes ?? DEFAULT_RETRYABLE);
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const now = opts.now ?? Date.now;

  return (next, info) => {
    if (!info.idempotent || info.kind !== "unary" || maxAttempts === 1) return next;
    return async (ctx, req) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await next(ctx, req);
        } catch (e) {
          const err = asKitError(e);
          if (attempt + 1 >= maxAttempts || !retryable.has(err.code) || ctx.signal.aborted) throw e;
          const delay = backoffMs(attempt, { baseDelayMs, maxDelayMs, random, retryAfterMs: err.retryAfterMs });
          // Give up now, with the real error, when the next attempt could not start in time.
          if (ctx.deadline !== undefined && now() + delay >= ctx.deadline) throw e;
          ctx.log.debug(
            { procedure: info.procedure, attempt: attempt + 1, code: err.codeName, delay_ms: Math.round(delay) },
            "retrying",
          );
          try {
            await sleep(delay, ctx.signal);
          } catch {
            throw e; // canceled while waiting: the caller gets the error of the last attempt
          }
          if (ctx.signal.aborted) throw e;
        }
      }
    };
  };
}
