// Circuit breaker (client side), one opossum CircuitBreaker per method. Only
// transport-level failures count against it (Unavailable, DeadlineExceeded,
// ResourceExhausted, Internal); a NotFound or InvalidArgument is an answer
// from a healthy service and passes through as a success (go-kit's Failer
// lesson). While open, calls fail fast with Unavailable without being sent;
// after resetTimeoutMs one probe call decides whether it closes again.
import CircuitBreaker from "opossum";
import { asKitError, Code, KitError } from "../errors.js";
import type { Context } from "../context.js";
import type { Endpoint, Middleware } from "../endpoint.js";

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** Failures above this share of calls in the window open the circuit. Default 25. */
  errorThresholdPercentage?: number;
  /** How long the circuit stays open before a probe. Default 5000 ms. */
  resetTimeoutMs?: number;
  /** Calls in the window before the circuit may open at all. Default 5. */
  volumeThreshold?: number;
  /** The rolling statistics window. Default 10000 ms. */
  rollingCountTimeoutMs?: number;
  /** Prefix of each circuit's name (for opossum's stats); the procedure follows. */
  name?: string;
  /** Called on every transition, for logs and metrics. */
  onStateChange?: (procedure: string, state: BreakerState) => void;
}

/** The middleware, plus what health checks and shutdown need. */
export interface BreakerMiddleware extends Middleware {
  /** The state of each wired method's circuit, by procedure. */
  states(): Record<string, BreakerState>;
  /** Shuts every circuit down (stops its timers); calls fail with Unavailable afterwards. */
  close(): void;
}

/** The codes that say the callee or the network is in trouble. */
const TRANSPORT_FAILURES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.ResourceExhausted,
  Code.Internal,
]);

export function countsAsFailure(error: unknown): boolean {
  return TRANSPORT_FAILURES.has(asKitError(error).code);
}

type Args = [next: Endpoint, ctx: Context, req: unknown];

export function breaker(opts: BreakerOptions = {}): BreakerMiddleware {
  const circuits = new Map<string, CircuitBreaker<Args, unknown>>();

  const circuitFor = (procedure: string): CircuitBreaker<Args, unknown> => {
    const existing = circuits.get(procedure);
    if (existing) return existing;
    // The action takes `next` as an argument so that wiring the same method
    // twice (two clients of one service) shares one circuit.
    const circuit = new CircuitBreaker<Args, unknown>((next, ctx, req) => next(ctx, req), {
      name: opts.name ? `${opts.name}${procedure}` : procedure,
      timeout: false, // the deadline middleware owns time
      errorThresholdPercentage: opts.errorThresholdPercentage ?? 25,
      resetTimeout: opts.resetTimeoutMs ?? 5000,
      volumeThreshold: opts.volumeThreshold ?? 5,
      rollingCountTimeout: opts.rollingCountTimeoutMs ?? 10_000,
      enableSnapshots: false,
      // true means "not a failure": the call still rejects, but is counted as a success.
      errorFilter: (err: unknown) => !countsAsFailure(err),
    });
    const report = opts.onStateChange;
    if (report) {
      circuit.on("open", () => report(procedure, "open"));
      circuit.on("halfOpen", () => report(procedure, "half-open"));
      circuit.on("close", () => report(procedure, "closed"));
    }
    circuits.set(procedure, circuit);
    return circuit;
  };

  const middleware: Middleware = (next, info) => {
    const circuit = circuitFor(info.procedure);
    // A stream counts when it is opened: a failure to open it counts, an error mid-stream does not.
    return async (ctx, req) => {
      try {
        return await circuit.fire(next, ctx, req);
      } catch (e) {
        if (e instanceof Error && CircuitBreaker.isOurError(e)) {
          const why = circuit.isShutdown ? "circuit breaker shut down" : "circuit open";
          throw new KitError(Code.Unavailable, `${why} for ${info.procedure}`, { cause: e });
        }
        throw e;
      }
    };
  };

  return Object.assign(middleware, {
    states(): Record<string, BreakerState> {
      const out: Record<string, BreakerState> = {};
      for (const [procedure, c] of circuits) out[procedure] = c.opened ? "open" : c.halfOpen ? "half-open" : "closed";
      return out;
    },
    close(): void {
      for (const c of circuits.values()) c.shutdown();
    },
  });
}
