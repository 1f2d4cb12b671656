// A consumer is an endpoint: the PostgreSQL bus decorated with the kit's
// stacks (withBusMiddleware + busStacks) gives every publish a PRODUCER span
// and every delivery a CONSUMER span continuing it, one log line, the bus
// metrics, a deadline and recover — over the real bus and database.
import { create } from "@bufbuild/protobuf";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withBusMiddleware } from "../../endpoints/bus-middleware.js";
import { derive, traceparent, type Context } from "../../endpoints/context.js";
import { KitError } from "../../endpoints/errors.js";
import { busStacks } from "../../endpoints/stack.js";
import { capturingContext } from "../../endpoints/testing.js";
import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";
import { createTracing } from "../../platform/tracing.js";
import type { Bus, DeliveryMeta } from "../../endpoints/bus.js";
import { PostgresBus } from "./postgres-bus.js";
import { postgresOutbox } from "./outbox.js";
import { echoTopic, openBusTestDatabase, waitFor, type BusTestDatabase } from "./database.fixture.js";

let t: BusTestDatabase;
const closers: (() => Promise<void>)[] = [];

test.before(async () => {
  t = await openBusTestDatabase();
});

test.after(async () => {
  for (const close of closers) await close();
  await t.close();
});

const PUBLISHER = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };
const echo = (message: string) => create(EchoRequestSchema, { message });

function decoratedBus() {
  const exporter = new InMemorySpanExporter();
  const { tracer } = createTracing({ serviceName: "shop", spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const registry = new Registry();
  const { lines, log, ctx } = capturingContext({ service: "shop", requestId: "req-publish" });
  const engine = new PostgresBus({ knex: t.db.knex, log, pollMs: 100, leaseMarginMs: 500 });
  const bus: Bus = withBusMiddleware(engine, busStacks({ registry, tracer }));
  closers.push(() => bus.close());
  return { bus, exporter, registry, lines, publishCtx: derive(ctx, { trace: PUBLISHER }) as Context };
}

async function metric(registry: Registry, name: string) {
  return (await registry.getSingleMetric(name)!.get()).values;
}

test("a publish is a PRODUCER span and its delivery a CONSUMER span continuing it; one log line; counted and timed by topic, group and outcome", async () => {
  const { bus, exporter, registry, lines, publishCtx } = decoratedBus();
  const seen: { ctx: Context; meta: DeliveryMeta }[] = [];
  await bus.subscribe({
    topic: echoTopic("t.traced"),
    group: "shop",
    handler: async (ctx, _m, meta) => {
      seen.push({ ctx, meta });
      ctx.log.info("inside the handler");
    },
  });
  const id = await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.traced"), "k", echo("hello"), publishCtx);
  await waitFor("the delivery", () => seen.length === 1);
  await waitFor("the spans", () => exporter.getFinishedSpans().length === 2);

  // The publish: a PRODUCER span, child of the span it was made in.
  const send = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER)!;
  assert.is(send.name, "send t.traced");
  assert.is(send.spanContext().traceId, PUBLISHER.traceId);
  assert.is(send.parentSpanContext?.spanId, PUBLISHER.spanId);
  assert.equal(send.attributes, {
    "messaging.system": "postgresql",
    "messaging.operation.type": "send",
    "messaging.operation.name": "send",
    "messaging.destination.name": "t.traced",
    "messaging.message.id": id.toString(),
  });
  // The delivery: a CONSUMER span, child of the publish.
  const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
  assert.is(span.name, "process t.traced");
  assert.is(span.spanContext().traceId, PUBLISHER.traceId);
  assert.is(span.parentSpanContext?.spanId, send.spanContext().spanId);
  assert.equal(span.attributes, {
    "messaging.system": "postgresql",
    "messaging.operation.type": "process",
    "messaging.operation.name": "process",
    "messaging.destination.name": "t.traced",
    "messaging.consumer.group.name": "shop",
    "messaging.message.id": id.toString(),
  });
  assert.is(span.status.code, SpanStatusCode.UNSET);
  // The handler runs in the span, with the publisher's request id.
  assert.equal(seen[0]!.ctx.trace, { traceId: PUBLISHER.traceId, spanId: span.spanContext().spanId, traceFlags: 1 });
  assert.is(seen[0]!.ctx.requestId, "req-publish");
  assert.ok(seen[0]!.ctx.deadline !== undefined && seen[0]!.ctx.deadline - Date.now() <= 30_000, "the default 30 s deadline");

  await waitFor("the log line", () => lines.some((l) => l.msg === "message handled"));
  const handled = lines.filter((l) => l.msg === "message handled");
  assert.is(handled.length, 1);
  const line = handled[0]!;
  assert.equal(
    { topic: line.topic, group: line.group, message_id: line.message_id, attempt: line.attempt, code: line.code, trace_id: line.trace_id, span_id: line.span_id },
    { topic: "t.traced", group: "shop", message_id: id.toString(), attempt: 1, code: "OK", trace_id: PUBLISHER.traceId, span_id: span.spanContext().spanId },
  );
  assert.type(line.duration_ms, "number");
  assert.not.ok(JSON.stringify(lines).includes("hello"), "no payload in the log");

  const counted = await metric(registry, "bus_messages_handled_total");
  assert.equal(counted, [{ value: 1, labels: { topic: "t.traced", group: "shop", outcome: "OK" } }]);
  const timed = await metric(registry, "bus_message_handling_duration_seconds");
  assert.ok(timed.some((v) => (v as { metricName?: string }).metricName === "bus_message_handling_duration_seconds_count" && v.value === 1 && v.labels.outcome === "OK"));
});

test("a handler that crashes fails the delivery (the process lives on), the engine retries it, and the failure is traced, logged and counted", async () => {
  const { bus, exporter, registry, lines, publishCtx } = decoratedBus();
  const attempts: number[] = [];
  await bus.subscribe({
    topic: echoTopic("t.crash"),
    group: "shop",
    backoff: () => 0,
    handler: async (_ctx, _m, meta) => {
      attempts.push(meta.attempt);
      if (meta.attempt === 1) {
        const broken = undefined as unknown as { field: string };
        void broken.field; // a TypeError, as a bug throws it
      }
    },
  });
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.crash"), "k", echo("x"), publishCtx);
  await waitFor("the retry", () => attempts.length === 2);
  await waitFor("both consumer spans", () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER).length === 2);
  assert.equal(attempts, [1, 2]);
  const [failed, ok] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER);
  assert.is(failed!.status.code, SpanStatusCode.ERROR);
  assert.is(failed!.attributes["error.type"], "INTERNAL");
  assert.is(ok!.status.code, SpanStatusCode.UNSET);
  const crash = lines.find((l) => l.msg === "a bus handler crashed; the message will be retried");
  assert.ok(crash, "the crash is logged with its stack");
  assert.match(String((crash!.err as { stack?: string }).stack), "TypeError");
  const failure = lines.find((l) => l.msg === "message failed")!;
  assert.equal({ code: failure.code, attempt: failure.attempt }, { code: "INTERNAL", attempt: 1 });
  const counted = await metric(registry, "bus_messages_handled_total");
  const by = (outcome: string) => counted.find((v) => v.labels.topic === "t.crash" && v.labels.outcome === outcome)?.value;
  assert.equal([by("INTERNAL"), by("OK")], [1, 1]);
});

test("each delivery gets the subscription's deadline: a handler past it fails DeadlineExceeded and is retried", async () => {
  const { bus, lines, publishCtx } = decoratedBus();
  const attempts: { attempt: number; aborted?: unknown }[] = [];
  await bus.subscribe({
    topic: echoTopic("t.slow"),
    group: "shop",
    timeoutMs: 150,
    maxAttempts: 2,
    backoff: () => 0,
    handler: async (ctx, _m, meta) => {
      const entry: { attempt: number; aborted?: unknown } = { attempt: meta.attempt };
      attempts.push(entry);
      if (meta.attempt === 1) {
        // slow: still waiting when the deadline fires its signal
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        entry.aborted = ctx.signal.reason;
      }
    },
  });
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.slow"), "k", echo("x"), publishCtx);
  await waitFor("the retry", () => attempts.length === 2);
  assert.instance(attempts[0]!.aborted, KitError);
  assert.match((attempts[0]!.aborted as KitError).message, "shop handling t.slow did not finish before its deadline");
  // the retry came from the failure the deadline settled (not from the lease running out)
  const failure = lines.find((l) => l.msg === "message failed" && l.topic === "t.slow")!;
  assert.equal({ code: failure.code, attempt: failure.attempt }, { code: "DEADLINE_EXCEEDED", attempt: 1 });
  await waitFor("the acknowledgement", async () => {
    const r = await t.db.knex.raw(`select count(*)::int as n from bus.deliveries where topic = 't.slow'`);
    return r.rows[0].n === 0;
  });
});

test("a subscription's timeoutMs must be a positive whole number", async () => {
  const { bus } = decoratedBus();
  const error = await bus.subscribe({ topic: echoTopic("t.bad"), group: "shop", timeoutMs: 0, handler: async () => {} }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.match(String(error?.message), "timeoutMs must be a positive whole number");
});

test.run();
