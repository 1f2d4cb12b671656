// The kit's Context (go's context.Context): everything a call carries besides
// its request. Immutable: a middleware that changes something derives a new
// Context with `derive`, so what it sets is seen only downstream.
import type { Logger } from "pino";

/** W3C trace context of the current span (traceparent fields). */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits: the span this call runs in. */
  spanId: string;
  /** 1 when sampled. */
  traceFlags: number;
}

/** Who is calling: a customer, or a service acting for itself. */
export interface Principal {
  kind: "customer" | "service";
  /** Customer id, or the service's name. */
  id: string;
  roles: readonly string[];
  /** The bearer token, so that calls on the customer's behalf can forward it. */
  token?: string;
}

export interface Context {
  /** Fires when the caller cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** Absolute deadline, epoch milliseconds; undefined: none. */
  readonly deadline: number | undefined;
  /** Set at the edge, kept across every hop. */
  readonly requestId: string;
  readonly trace: TraceContext | undefined;
  readonly principal: Principal | undefined;
  /** Already bound to request id and trace id. */
  readonly log: Logger;
  /**
   * Server side: the caller's network address as the transport saw it (for
   * per-address limits); undefined in-process and in background work.
   */
  readonly clientAddress?: string;
}

/** A new Context with some fields replaced. */
export function derive(ctx: Context, changes: Partial<Context>): Context {
  return { ...ctx, ...changes };
}

/** Milliseconds left before the deadline (Infinity when there is none). */
export function remainingMs(ctx: Context, now = Date.now()): number {
  return ctx.deadline === undefined ? Infinity : ctx.deadline - now;
}

export function traceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.traceFlags.toString(16).padStart(2, "0")}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C traceparent header; undefined for anything malformed or all-zero. */
export function parseTraceparent(header: string | null | undefined): TraceContext | undefined {
  const m = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) };
}

export interface BackgroundOptions {
  log: Logger;
  requestId?: string;
  deadline?: number;
  signal?: AbortSignal;
  principal?: Principal;
}

/** A root Context for work that no request started (a consumer, a job, a test). */
export function backgroundContext(opts: BackgroundOptions): Context {
  const requestId = opts.requestId ?? crypto.randomUUID();
  return {
    signal: opts.signal ?? new AbortController().signal,
    deadline: opts.deadline,
    requestId,
    trace: undefined,
    principal: opts.principal,
    log: opts.log.child({ request_id: requestId }),
  };
}

/**
 * `ctx` without its cancellation (Go's context.WithoutCancel): the deadline,
 * principal, ids and logger stay. For work others wait on too — a load
 * several calls share — that must not stop when its first caller leaves.
 */
export function withoutCancel(ctx: Context): Context {
  return derive(ctx, { signal: new AbortController().signal });
}
