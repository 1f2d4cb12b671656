import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isSpanContextValid, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createTracing, recordsSpans } from "./tracing.js";

interface Received {
  method: string;
  url: string;
  contentType: string;
  body: string;
}

/** A stand-in OTLP/HTTP collector on 127.0.0.1 that keeps what it is sent. */
async function fakeCollector() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        contentType: String(req.headers["content-type"]),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test("with an OTLP endpoint, finished spans are POSTed to <endpoint>/v1/traces", async () => {
  const collector = await fakeCollector();
  try {
    const tracing = createTracing({ serviceName: "wallet", otlpEndpoint: `${collector.endpoint}/` });
    const span = tracing.tracer.startSpan("itinera.wallet.v1.WalletService/GetBalance", { kind: SpanKind.SERVER });
    const traceId = span.spanContext().traceId;
    span.end();
    assert.is(collector.received.length, 0, "spans are batched, not sent one by one");
    await tracing.shutdown();
    assert.ok(collector.received.length >= 1, "shutdown flushes the batch");
    const post = collector.received[0]!;
    assert.is(post.method, "POST");
    assert.is(post.url, "/v1/traces");
    assert.ok(post.body.includes("itinera.wallet.v1.WalletService/GetBalance"), post.body);
    assert.ok(post.body.includes("wallet"), "the service name travels in the resource");
    assert.is(post.contentType, "application/json", "OTLP/HTTP with JSON encoding");
    const body = JSON.parse(post.body) as {
      resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[];
    };
    const exported = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.is(exported.name, "itinera.wallet.v1.WalletService/GetBalance");
    assert.is(exported.traceId, traceId);
  } finally {
    await collector.close();
  }
});

test("without an endpoint, spans still get real ids but are not recorded (nothing would read them)", async () => {
  const tracing = createTracing({ serviceName: "wallet" });
  const span = tracing.tracer.startSpan("x");
  assert.ok(isSpanContextValid(span.spanContext()));
  assert.not.ok(span.isRecording());
  const child = tracing.tracer.startSpan("y", {}, trace.setSpan(ROOT_CONTEXT, span));
  assert.is(child.spanContext().traceId, span.spanContext().traceId, "a child continues the trace");
  assert.is.not(child.spanContext().spanId, span.spanContext().spanId, "with a span id of its own");
  child.end();
  span.end();
  await tracing.forceFlush();
  await tracing.shutdown();
});

test("recordsSpans says whether the tracer's spans go anywhere (the tracing middleware makes none when not)", () => {
  assert.not.ok(recordsSpans(createTracing({ serviceName: "wallet" }).tracer));
  assert.ok(recordsSpans(createTracing({ serviceName: "wallet", otlpEndpoint: "http://127.0.0.1:4318" }).tracer));
  assert.ok(recordsSpans(createTracing({ serviceName: "wallet", spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }).tracer));
  assert.ok(recordsSpans(trace.getTracer("anyone")), "a tracer made elsewhere is taken as recording");
});

test("the provider is not registered globally", () => {
  createTracing({ serviceName: "wallet" });
  const globalSpan = trace.getTracer("anyone").startSpan("x");
  assert.not.ok(isSpanContextValid(globalSpan.spanContext()), "the global API still has the no-op provider");
  globalSpan.end();
});

test.run();
