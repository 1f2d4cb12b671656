// Tracing with OpenTelemetry spans. The kit carries the current span in
// ctx.trace (not in OpenTelemetry's global context: there is no global
// context manager), so each span's parent is built from ctx.trace explicitly.
// Server side: a SERVER span continuing the caller's (remote) span, and a
// logger bound to the new span. Client side: a CLIENT span, child of the span
// the call is made in; the transport sends it in the traceparent header.
// Attributes follow the OpenTelemetry RPC semantic conventions.
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
import { derive, type Context, type TraceContext } from "../context.js";
import { observeStream, type Endpoint, type MethodInfo, type Middleware } from "../endpoint.js";
import { asKitError } from "../errors.js";

export interface TracingOptions {
  /** `rpc.system`: "connect_rpc" (the default: the kit speaks Connect, gRPC and gRPC-Web) or "grpc". */
  system?: "connect_rpc" | "grpc";
}

export function tracing(tracer: Tracer, opts: TracingOptions = {}): Middleware {
  const system = opts.system ?? "connect_rpc";
  return (next: Endpoint, info: MethodInfo): Endpoint => {
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
