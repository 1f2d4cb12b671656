// The middleware stacks every service wires the same way (go-kit's addsvc
// decorates each endpoint in this order too). main.ts passes what they need;
// a service that needs something else builds its own list from the same parts.
import type { Tracer } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type { BusStacks } from "./bus-middleware.js";
import type { EventInfo, Middleware, PublishInfo } from "./endpoint.js";
import { access } from "./middleware/access.js";
import { breaker, type BreakerMiddleware, type BreakerOptions } from "./middleware/breaker.js";
import { callAs, type PrincipalOf } from "./middleware/call-as.js";
import { bulkhead } from "./middleware/bulkhead.js";
import { deadline } from "./middleware/deadline.js";
import { logging } from "./middleware/logging.js";
import { metrics } from "./middleware/metrics.js";
import { ratelimit, type RateLimitOptions } from "./middleware/ratelimit.js";
import { recover } from "./middleware/recover.js";
import { retry, type RetryOptions } from "./middleware/retry.js";
import { tracing } from "./middleware/tracing.js";
import { validation, type ValidatorsByMethod } from "./middleware/validation.js";

export interface ServerStackOptions {
  registry: Registry;
  tracer: Tracer;
  /** The service's per-method validators. */
  validators?: ValidatorsByMethod;
  /** The limit of methods without their own timeout_ms option. Default 10 s. */
  defaultTimeoutMs?: number;
  /** Calls of one method in flight at once before ResourceExhausted. Default 256. */
  maxConcurrent?: number;
  /** A token bucket per key, when the service wants one. */
  rateLimit?: RateLimitOptions;
}

/**
 * Outermost first: the span exists before anything logs; logging and metrics
 * see the final code of everything inside; recover turns a crash inside into
 * Internal; deadline starts the clock before the call waits for anything;
 * limits refuse before validation spends work; validation runs last, next to
 * the service. Access is checked before the deadline starts: a call that
 * will be refused costs nothing.
 */
export function serverStack(o: ServerStackOptions): Middleware[] {
  return [
    tracing(o.tracer),
    logging(),
    metrics(o.registry),
    recover(),
    access(),
    deadline({ defaultTimeoutMs: o.defaultTimeoutMs ?? 10_000 }),
    ...(o.rateLimit ? [ratelimit(o.rateLimit)] : []),
    bulkhead({ maxConcurrent: o.maxConcurrent ?? 256 }),
    ...(o.validators ? [validation(o.validators)] : []),
  ];
}

export interface ClientStackOptions {
  registry: Registry;
  tracer: Tracer;
  /** A cap on every call, besides the caller's own deadline. Default 5 s. */
  timeoutMs?: number;
  breaker?: BreakerOptions;
  retry?: RetryOptions;
  /**
   * Who every call is sent as (callAs), when not the Context's principal: a
   * service calling a peer for itself passes its service token here.
   */
  callAs?: PrincipalOf;
}

export interface ClientStack {
  middlewares: Middleware[];
  /** The circuits, for readiness, metrics and shutdown. */
  breaker: BreakerMiddleware;
}

/**
 * Outermost first: one client span and one log line per logical call;
 * deadline propagation bounds the whole call, retries included; the breaker
 * sees a logical call once and, when open, refuses before any retry waits;
 * retry (idempotent methods only) sits next to the wire. The caller's own
 * token is fetched within the deadline but outside the breaker: identity
 * being slow is not the peer failing.
 */
export function clientStack(o: ClientStackOptions): ClientStack {
  const circuits = breaker(o.breaker);
  return {
    breaker: circuits,
    middlewares: [
      tracing(o.tracer),
      logging(),
      metrics(o.registry),
      deadline({ defaultTimeoutMs: o.timeoutMs ?? 5_000 }),
      ...(o.callAs ? [callAs(o.callAs)] : []),
      circuits,
      retry(o.retry),
    ],
  };
}

export interface BusStackOptions {
  registry: Registry;
  tracer: Tracer;
}

/** What withBusMiddleware (./bus-middleware.ts) takes: both sides of the bus. */
export function busStacks(o: BusStackOptions): BusStacks {
  return { consumer: consumerStack(o), producer: producerStack(o) };
}

/**
 * For every bus subscription (withBusMiddleware in ./bus-middleware.ts), the
 * server's order: the CONSUMER span exists before anything logs; logging and
 * metrics see the outcome of everything inside; recover turns a crash into a
 * failure the engine retries; the deadline — the subscription's timeoutMs,
 * default DEFAULT_HANDLER_TIMEOUT_MS (endpoints/bus.ts) — starts the clock
 * next to the handler. No stack-wide default of its own: the engine must know
 * the deadline to lease the message for longer.
 */
export function consumerStack(o: BusStackOptions): Middleware<EventInfo>[] {
  return [tracing(o.tracer), logging(), metrics(o.registry), recover(), deadline()];
}

/**
 * For every publish: a PRODUCER span, child of the span the publish is made
 * in, whose context the message carries. Nothing else: the publish is a step
 * of the RPC or handler that makes it, which logs, counts and limits it.
 */
export function producerStack(o: Pick<BusStackOptions, "tracer">): Middleware<PublishInfo>[] {
  return [tracing(o.tracer)];
}
