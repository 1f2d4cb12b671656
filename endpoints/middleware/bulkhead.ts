// Bulkhead (server side): a cap on the calls of a method in flight at once.
// A call beyond the cap fails at once with ResourceExhausted instead of
// queueing, so that one slow method cannot take every connection and all the
// memory of the process. A unary call holds its slot until it settles, a
// server stream until the stream ends, fails, is abandoned or its call is
// canceled.
import { resourceExhausted } from "../errors.js";
import { observeStream, type Middleware } from "../endpoint.js";

export interface BulkheadOptions {
  /** Calls allowed in flight at once. */
  maxConcurrent: number;
  /** One limit shared by every method this middleware wraps, instead of one per method. */
  shared?: boolean;
  /** Sent with the rejection as a hint of when to try again. */
  retryAfterMs?: number;
}

/** The middleware, plus the number of calls in flight per procedure (for metrics and tests). */
export interface BulkheadMiddleware extends Middleware {
  inFlight(): Record<string, number>;
}

interface Slots {
  /** Calls holding a slot now. */
  used: number;
}

export function bulkhead(opts: BulkheadOptions): BulkheadMiddleware {
  if (!Number.isInteger(opts.maxConcurrent) || opts.maxConcurrent < 1) {
    throw new Error(`bulkhead: maxConcurrent must be a positive integer, not ${opts.maxConcurrent}`);
  }
  const shared: Slots = { used: 0 };
  const byProcedure = new Map<string, Slots>();

  const middleware: Middleware = (next, info) => {
    const pool = opts.shared ? shared : (byProcedure.get(info.procedure) ?? { used: 0 });
    byProcedure.set(info.procedure, pool);

    return async (ctx, req) => {
      if (pool.used >= opts.maxConcurrent) {
        throw resourceExhausted(`too many concurrent calls to ${info.procedure}`, opts.retryAfterMs);
      }
      pool.used++;
      if (info.kind !== "server_streaming") {
        try {
          return await next(ctx, req);
        } finally {
          pool.used--;
        }
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        pool.used--;
        ctx.signal.removeEventListener("abort", release);
      };
      try {
        const stream = (await next(ctx, req)) as AsyncIterable<unknown>;
        // A canceled call frees its slot even if nobody ever reads its stream.
        ctx.signal.addEventListener("abort", release, { once: true });
        return observeStream(stream, release);
      } catch (e) {
        release();
        throw e;
      }
    };
  };

  return Object.assign(middleware, {
    inFlight(): Record<string, number> {
      return Object.fromEntries([...byProcedure].map(([p, s]) => [p, s.used]));
    },
  });
}
