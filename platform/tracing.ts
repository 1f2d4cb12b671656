// The process's tracer: an OpenTelemetry SDK tracer provider built here and
// handed to the tracing middlewares by main.ts. It is never registered
// globally (no global provider, propagator or context manager): the kit
// carries the current span in its own Context. A tracer made with nothing to
// export to is marked so (recordsSpans): the tracing middleware then makes no
// span objects at all and only carries the trace ids.
import type { Tracer } from "@opentelemetry/api";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";

export interface TracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  /**
   * Base URL of an OTLP/HTTP collector (main.ts passes
   * OTEL_EXPORTER_OTLP_ENDPOINT); spans are POSTed to `<endpoint>/v1/traces`.
   * Without it (and without spanProcessors) nothing would ever read a span,
   * so none is recorded: spans are non-recording, yet still get trace and
   * span ids, and recordsSpans(tracer) is false, so that the tracing
   * middleware skips them and only carries the trace id (in logs and in
   * traceparent).
   */
  otlpEndpoint?: string;
  /** More processors (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
}

export interface Tracing {
  tracer: Tracer;
  /** Exports what is buffered now. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops; call it during graceful shutdown. */
  shutdown(): Promise<void>;
}

const idsOnly = new WeakSet<Tracer>();

/**
 * False for a tracer createTracing made with nothing to export to (its spans
 * are never recorded, so making them only costs); true for any other.
 */
export function recordsSpans(tracer: Tracer): boolean {
  return !idsOnly.has(tracer);
}

export function createTracing(opts: TracingOptions): Tracing {
  const spanProcessors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];
  if (opts.otlpEndpoint) {
    const url = `${opts.otlpEndpoint.replace(/\/+$/, "")}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new BasicTracerProvider({
    sampler:
      spanProcessors.length > 0 ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
    resource: defaultResource().merge(resourceFromAttributes({ "service.name": opts.serviceName })),
    spanProcessors,
  });
  const tracer = provider.getTracer("itinera");
  if (spanProcessors.length === 0) idsOnly.add(tracer);
  return {
    tracer,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
