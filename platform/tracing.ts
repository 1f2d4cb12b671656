// The process's tracer: an OpenTelemetry SDK tracer provider built here and
// handed to the tracing middlewares by main.ts. It is never registered
// globally (no global provider, propagator or context manager): the kit
// carries the current span in its own Context.
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
   * span ids, so that logs carry trace ids and traceparent still travels.
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
  return {
    tracer: provider.getTracer("itinera"),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
