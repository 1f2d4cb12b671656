// The test receiver decodes what the real OTLP/HTTP exporter (platform/tracing.ts) sends.
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "./processes.testing.js";
import { SPAN_KIND, startOtlpReceiver } from "./otlp-receiver.testing.js";
import { createTracing } from "./tracing.js";

test("spans the exporter posts arrive decoded: ids, parent, kind, service and attributes", async () => {
  const receiver = await startOtlpReceiver();
  const tracing = createTracing({ serviceName: "probe", otlpEndpoint: receiver.url });
  try {
    const parent = tracing.tracer.startSpan("parent", { kind: SpanKind.SERVER });
    const attributes = { "messaging.destination.name": "t", n: 3, ok: true };
    const child = tracing.tracer.startSpan("child", { kind: SpanKind.CONSUMER, attributes }, trace.setSpan(ROOT_CONTEXT, parent));
    child.end();
    parent.end();
    await tracing.forceFlush();
    const spans = await until("both spans", () => (receiver.spans().length === 2 ? receiver.spans() : undefined));
    const byName = new Map(spans.map((s) => [s.name, s]));
    const [p, c] = [byName.get("parent")!, byName.get("child")!];
    assert.equal([p.traceId, p.spanId, p.parentSpanId, p.kind, p.service], [parent.spanContext().traceId, parent.spanContext().spanId, "", SPAN_KIND.server, "probe"]);
    assert.equal([c.traceId, c.parentSpanId, c.kind], [parent.spanContext().traceId, parent.spanContext().spanId, SPAN_KIND.consumer]);
    assert.equal(c.attributes, { "messaging.destination.name": "t", n: 3, ok: true });
  } finally {
    await tracing.shutdown();
    await receiver.close();
  }
});

test("anything but OTLP JSON is refused with 415, saying what it takes", async () => {
  const receiver = await startOtlpReceiver();
  try {
    const res = await fetch(`${receiver.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array([1, 2]) });
    assert.is(res.status, 415);
    assert.match(await res.text(), "OTLP JSON only");
    assert.equal(receiver.spans(), []);
  } finally {
    await receiver.close();
  }
});

test.run();
