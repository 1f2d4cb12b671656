// Tracing with OpenTelemetry spans. The kit carries the current span in
// ctx.trace (not in OpenTelemetry's global context: there is no global
// context manager), so each span's parent is built from ctx.trace explicitly.
// Server side: a SERVER span continuing the caller's (remote) span, and a
// logger bound to the new span. Client side: a CLIENT span, child of the span
// the call is made in; the transport sends it in the traceparent header.
// Attributes follow the OpenTelemetry RPC semantic conventions. A bus
// consumer (info.kind "event"): a CONSUMER span "process <topic>" continuing
// the publisher's span (the traceparent the engine put in ctx.trace), with the
// messaging conventions' attributes. A publish (producer side): a PRODUCER
// span "send <topic>", child of the span it is made in; the message carries
// its context, so the consumer's span is its child.
// When the tracer records nothing (platform/tracing.ts recordsSpans: no
// exporter configured), no span is made: a call runs in the trace context it
// arrived with, and only a call that arrives with none starts a trace (new
// ids, not sampled; on the server its logger is bound to the new trace id).
// The trace id still travels in traceparent and stays in every log line, and
// a recording service downstream parents its spans on the nearest span that
// was recorded.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context as OtelContext,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import { recordsSpans } from "../../platform/tracing.js";
import type { Delivery } from "../bus.js";
import { derive, type Context, type TraceContext } from "../context.js";
import { observeStream, type Endpoint, type EndpointInfo, type EventInfo, type Middleware, type PublishInfo } from "../endpoint.js";
import { asKitError } from "../errors.js";

export interface TracingOptions {
  /** `rpc.system`: "connect_rpc" (the default: the kit speaks Connect, gRPC and gRPC-Web) or "grpc". */
  system?: "connect_rpc" | "grpc";
}

export function tracing(tracer: Tracer, opts: TracingOptions = {}): Middleware<EndpointInfo | PublishInfo> {
  const system = opts.system ?? "connect_rpc";
  if (!recordsSpans(tracer)) return idsOnly;
  return (next: Endpoint, info: EndpointInfo | PublishInfo): Endpoint => {
    if (info.kind === "event") return info.side === "consumer" ? consumerSpan(tracer, next, info) : producerSpan(tracer, next, info);
    // Semantic conventions: the span is named "$package.$service/$method".
    const spanName = `${info.service}/${info.name}`;
    const attributes: Attributes = { "rpc.system": system, "rpc.service": info.service, "rpc.method": info.name };
    const kind = info.side === "server" ? SpanKind.SERVER : SpanKind.CLIENT;

    const start = (ctx: Context): { span: Span; inner: Context } => {
      const span = tracer.startSpan(spanName, { kind, attributes }, parentOf(ctx.trace, info.side === "server"));
      const current = currentTrace(span);
      if (info.side === "client") return { span, inner: derive(ctx, { trace: current }) };
      return { span, inner: derive(ctx, { trace: current, log: bindTrace(ctx, current) }) };
    };

    if (info.kind === "server_streaming") {
      return async (ctx, req) => {
        const { span, inner } = start(ctx);
        let stream: AsyncIterable<unknown>;
        try {
          stream = (await next(inner, req)) as AsyncIterable<unknown>;
        } catch (e) {
          endSpan(span, e, true);
          throw e;
        }
        return observeStream(stream, (e) => endSpan(span, e, e !== undefined));
      };
    }
    return async (ctx, req) => {
      const { span, inner } = start(ctx);
      try {
        const out = await next(inner, req);
        endSpan(span, undefined, false);
        return out;
      } catch (e) {
        endSpan(span, e, true);
        throw e;
      }
    };
  };
}

/**
 * One CONSUMER span per delivery (messaging semantic conventions, "process"
 * operation), child of the span the message was published in; the handler's
 * logger is bound to it.
 */
function consumerSpan(tracer: Tracer, next: Endpoint, info: EventInfo): Endpoint {
  const spanName = `process ${info.topic}`;
  const attributes: Attributes = {
    "messaging.system": info.system,
    "messaging.operation.type": "process",
    "messaging.operation.name": "process",
    "messaging.destination.name": info.topic,
    "messaging.consumer.group.name": info.group,
  };
  return async (ctx, req) => {
    const { meta } = req as Delivery;
    const span = tracer.startSpan(
      spanName,
      {
        kind: SpanKind.CONSUMER,
        attributes: { ...attributes, "messaging.message.id": meta.messageId.toString() },
      },
      parentOf(ctx.trace, true),
    );
    const current = currentTrace(span);
    return ending(span, () => next(derive(ctx, { trace: current, log: bindTrace(ctx, current) }), req), kitFailure);
  };
}

/** One PRODUCER span per publish ("send" operation), child of the span it is made in; the engine stores its context with the message. */
function producerSpan(tracer: Tracer, next: Endpoint, info: PublishInfo): Endpoint {
  const spanName = `send ${info.topic}`;
  const attributes: Attributes = {
    "messaging.system": info.system,
    "messaging.operation.type": "send",
    "messaging.operation.name": "send",
    "messaging.destination.name": info.topic,
  };
  return async (ctx, req) => {
    const span = tracer.startSpan(spanName, { kind: SpanKind.PRODUCER, attributes }, parentOf(ctx.trace, false));
    return ending(
      span,
      async () => {
        const id = await next(derive(ctx, { trace: currentTrace(span) }), req);
        span.setAttribute("messaging.message.id", String(id));
        return id;
      },
      kitFailure,
    );
  };
}

/**
 * Runs `work` in a CLIENT span, child of the span `ctx` runs in, for a
 * dependency that is no RPC (an SMTP server): `work` gets the context of the
 * new span. Without a recording tracer, `work(ctx)` alone.
 */
export async function inClientSpan<T>(tracer: Tracer, ctx: Context, name: string, attributes: Attributes, work: (ctx: Context) => Promise<T>): Promise<T> {
  if (!recordsSpans(tracer)) return work(ctx);
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentOf(ctx.trace, false));
  return ending(span, () => work(derive(ctx, { trace: currentTrace(span) })), (e) =>
    e instanceof Error ? { type: e.name, message: e.message } : { type: "unknown", message: String(e) },
  );
}

/** What a failed span that is no RPC's records: `error.type` and the status message. */
type Failure = (e: unknown) => { type: string; message: string };

/** A kit error's code name and message (what the kit's own spans record). */
const kitFailure: Failure = (e) => {
  const kit = asKitError(e);
  return { type: kit.codeName, message: kit.message };
};

/** Runs `work` and ends `span` after it: as failed, described by `failure`, when it throws. */
async function ending<T>(span: Span, work: () => Promise<T>, failure: Failure): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const { type, message } = failure(e);
    span.setAttribute("error.type", type);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    throw e;
  } finally {
    span.end();
  }
}

/** Tracing without spans: the trace the call arrived in, or a new one; a publish carries its caller's. */
const idsOnly: Middleware<EndpointInfo | PublishInfo> = (next, info) => {
  if (info.side === "producer") return next;
  if (info.side === "client") return (ctx, req) => next(ctx.trace ? ctx : derive(ctx, { trace: newTrace() }), req);
  return (ctx, req) => {
    if (ctx.trace) return next(ctx, req);
    const trace = newTrace();
    return next(derive(ctx, { trace, log: ctx.log.child({ trace_id: trace.traceId }) }), req);
  };
};

/**
 * A new trace, not sampled: a random (version 4) UUID's hex digits make the
 * trace id (its right half all random, as W3C asks), another's right half the
 * span id (never all zero: the UUID variant bits are 10).
 */
function newTrace(): TraceContext {
  return {
    traceId: crypto.randomUUID().replaceAll("-", ""),
    spanId: crypto.randomUUID().replaceAll("-", "").slice(16),
    traceFlags: 0,
  };
}

/**
 * The OpenTelemetry context holding the span a new span continues: on the
 * server, the caller's span from the traceparent header (remote); on a
 * client, the span of the call it is made in (local). None: a new trace.
 */
function parentOf(t: TraceContext | undefined, remote: boolean): OtelContext {
  if (t === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: t.traceId,
    spanId: t.spanId,
    traceFlags: t.traceFlags,
    isRemote: remote,
  });
}

function currentTrace(span: Span): TraceContext {
  const sc = span.spanContext();
  return { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags };
}

/**
 * The call's logger bound to the new span. The transport may already have
 * bound the trace id (it is the same trace): only what differs is added, so
 * that lines do not carry the same key twice with the same value.
 */
function bindTrace(ctx: Context, t: TraceContext) {
  const bound = ctx.log.bindings();
  const add: Record<string, string> = {};
  if (bound.trace_id !== t.traceId) add.trace_id = t.traceId;
  if (bound.span_id !== t.spanId) add.span_id = t.spanId;
  return ctx.log.child(add);
}

function endSpan(span: Span, error: unknown, failed: boolean): void {
  if (failed) {
    const kit = asKitError(error);
    span.setAttribute("rpc.grpc.status_code", kit.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: kit.message });
  } else {
    span.setAttribute("rpc.grpc.status_code", 0);
  }
  span.end();
}
