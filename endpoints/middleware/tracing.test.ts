import { test } from "uvu";
import * as assert from "uvu/assert";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { tracing } from "./tracing.js";
import { derive, parseTraceparent, traceparent, type Context } from "../context.js";
import { methodInfo, type Endpoint } from "../endpoint.js";
import { notFound } from "../errors.js";
import { createTracing } from "../../platform/tracing.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { capturingContext, echoClient, echoServer } from "../testing.js";

function setup(serviceName = "echo") {
  const exporter = new InMemorySpanExporter();
  const { tracer } = createTracing({ serviceName, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const { lines, ctx } = capturingContext({ service: serviceName, requestId: "req-1" });
  return { exporter, tracer, ctx, lines };
}
const REMOTE = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };

function only(exporter: InMemorySpanExporter, kind: SpanKind): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((s) => s.kind === kind);
  assert.is(spans.length, 1, `one span of kind ${kind}`);
  return spans[0]!;
}

test("a server span continues the caller's remote span; the handler runs in it", async () => {
  const { exporter, tracer, ctx, lines } = setup();
  let seen: Context | undefined;
  const base: Endpoint = async (c) => {
    seen = c;
    c.log.info("inside the handler");
    return {};
  };
  await tracing(tracer)(base, echoServer)(derive(ctx, { trace: REMOTE }), {});
  const span = only(exporter, SpanKind.SERVER);
  assert.is(span.name, "itinera.echo.v1.EchoService/Echo");
  assert.is(span.spanContext().traceId, REMOTE.traceId, "the trace id is kept");
  assert.is(span.parentSpanContext?.spanId, REMOTE.spanId);
  assert.is(span.parentSpanContext?.isRemote, true);
  assert.is(span.attributes["rpc.system"], "connect_rpc");
  assert.is(span.attributes["rpc.service"], "itinera.echo.v1.EchoService");
  assert.is(span.attributes["rpc.method"], "Echo");
  assert.is(span.attributes["rpc.grpc.status_code"], 0);
  assert.is(span.status.code, SpanStatusCode.UNSET);
  assert.is(span.resource.attributes["service.name"], "echo");
  assert.equal(seen!.trace, { traceId: REMOTE.traceId, spanId: span.spanContext().spanId, traceFlags: 1 });
  assert.is(lines[0]!.trace_id, REMOTE.traceId);
  assert.is(lines[0]!.span_id, span.spanContext().spanId);
  assert.is(lines[0]!.request_id, "req-1");
});

test("without a caller's span the server span starts a new trace", async () => {
  const { exporter, tracer, ctx } = setup();
  let seen: Context | undefined;
  await tracing(tracer)(async (c) => ((seen = c), {}), echoServer)(ctx, {});
  const span = only(exporter, SpanKind.SERVER);
  assert.is(span.parentSpanContext, undefined);
  assert.match(span.spanContext().traceId, /^[0-9a-f]{32}$/);
  assert.is(seen!.trace?.traceId, span.spanContext().traceId);
});

test("a failure sets status ERROR and the gRPC code; the error is rethrown", async () => {
  const { exporter, tracer, ctx } = setup();
  const error = notFound("no such wallet");
  const base: Endpoint = async () => {
    throw error;
  };
  const got = await tracing(tracer)(base, echoServer)(ctx, {}).catch((e: unknown) => e);
  assert.is(got, error);
  const span = only(exporter, SpanKind.SERVER);
  assert.is(span.status.code, SpanStatusCode.ERROR);
  assert.is(span.status.message, "no such wallet");
  assert.is(span.attributes["rpc.grpc.status_code"], 5);
});

test("a client call made inside a server call is a child of the server span, and the transport sees the client span", async () => {
  const { exporter, tracer, ctx } = setup();
  let sentTrace: Context["trace"];
  const transport: Endpoint = async (c) => ((sentTrace = c.trace), {});
  const balance = tracing(tracer, { system: "grpc" })(transport, methodInfo(WalletService.method.getBalance, "client"));
  const handler: Endpoint = async (c) => balance(c, {});
  await tracing(tracer)(handler, echoServer)(derive(ctx, { trace: REMOTE }), {});
  const server = only(exporter, SpanKind.SERVER);
  const client = only(exporter, SpanKind.CLIENT);
  assert.is(client.name, "itinera.wallet.v1.WalletService/GetBalance");
  assert.is(client.attributes["rpc.system"], "grpc");
  assert.is(client.spanContext().traceId, REMOTE.traceId);
  assert.is(client.parentSpanContext?.spanId, server.spanContext().spanId);
  assert.is(client.parentSpanContext?.isRemote, false);
  assert.is(sentTrace?.spanId, client.spanContext().spanId, "the traceparent names the client span");
});

test("two hops over the wire form one trace: server A → client A → server B", async () => {
  const a = setup("booking");
  const b = setup("wallet");
  const serverB = tracing(b.tracer)(async () => ({}), methodInfo(WalletService.method.getBalance, "server"));
  // The wire: the client's ctx.trace becomes a traceparent header, parsed by B's transport.
  const wire: Endpoint = async (c, req) => serverB(derive(b.ctx, { trace: parseTraceparent(traceparent(c.trace!)) }), req);
  const clientA = tracing(a.tracer)(wire, methodInfo(WalletService.method.getBalance, "client"));
  await tracing(a.tracer)(async (c) => clientA(c, {}), echoServer)(a.ctx, {});

  const sA = only(a.exporter, SpanKind.SERVER);
  const cA = only(a.exporter, SpanKind.CLIENT);
  const sB = only(b.exporter, SpanKind.SERVER);
  const traceId = sA.spanContext().traceId;
  assert.is(cA.spanContext().traceId, traceId);
  assert.is(sB.spanContext().traceId, traceId);
  assert.is(sA.parentSpanContext, undefined, "A's server span is the root");
  assert.is(cA.parentSpanContext?.spanId, sA.spanContext().spanId);
  assert.is(sB.parentSpanContext?.spanId, cA.spanContext().spanId);
  assert.is(sB.resource.attributes["service.name"], "wallet");
});

test("a stream's span ends when the stream ends, with the stream's outcome", async () => {
  const { exporter, tracer, ctx } = setup();
  async function* failing() {
    yield 1;
    throw notFound("the countdown vanished");
  }
  const ep = tracing(tracer)(async () => failing(), methodInfo(EchoService.method.countdown, "server"));
  const stream = (await ep(ctx, {})) as AsyncIterable<unknown>;
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  assert.is(exporter.getFinishedSpans().length, 0, "not ended while the stream is open");
  await it.next().catch(() => {});
  const span = only(exporter, SpanKind.SERVER);
  assert.is(span.status.code, SpanStatusCode.ERROR);
  assert.is(span.attributes["rpc.grpc.status_code"], 5);

  const early = tracing(tracer)(async () => Promise.reject(notFound("x")), methodInfo(EchoService.method.countdown, "client"));
  await early(ctx, {}).catch(() => {});
  assert.is(only(exporter, SpanKind.CLIENT).status.code, SpanStatusCode.ERROR);
});

test("a client span without a caller's span starts a trace", async () => {
  const { exporter, tracer, ctx } = setup();
  let sent: Context["trace"];
  await tracing(tracer)(async (c) => ((sent = c.trace), {}), echoClient)(ctx, {});
  const client = only(exporter, SpanKind.CLIENT);
  assert.is(client.parentSpanContext, undefined);
  assert.is(sent?.spanId, client.spanContext().spanId);
});

// Without an exporter (createTracing with nothing to send to), no span is made: ids only.
function idsOnly() {
  const { tracer } = createTracing({ serviceName: "echo" });
  const { lines, ctx } = capturingContext({ service: "echo", requestId: "req-1" });
  return { tracer, ctx, lines };
}

test("ids only: a server call runs in the trace it arrived with, on the logger the transport bound", async () => {
  const { tracer, ctx } = idsOnly();
  const arrived = derive(ctx, { trace: REMOTE, log: ctx.log.child({ trace_id: REMOTE.traceId }) });
  let seen: Context | undefined;
  await tracing(tracer)(async (c) => ((seen = c), {}), echoServer)(arrived, {});
  assert.is(seen, arrived, "the very context: no span, no new logger");
});

test("ids only: a server call that arrives without a trace starts one, and its lines carry the trace id", async () => {
  const { tracer, ctx, lines } = idsOnly();
  const seen: Context[] = [];
  const ep = tracing(tracer)(async (c) => (seen.push(c), c.log.info("inside the handler"), {}), echoServer);
  await ep(ctx, {});
  await ep(ctx, {});
  const [first, second] = seen.map((c) => c.trace!);
  assert.match(first!.traceId, /^[0-9a-f]{32}$/);
  assert.match(first!.spanId, /^[0-9a-f]{16}$/);
  assert.is(first!.traceFlags, 0, "not sampled: nothing records it");
  assert.is.not(second!.traceId, first!.traceId, "each call its own trace");
  assert.ok(parseTraceparent(traceparent(first!)), "a valid traceparent");
  assert.equal(lines.map((l) => [l.trace_id, l.request_id]), [[first!.traceId, "req-1"], [second!.traceId, "req-1"]]);
});

test("ids only: a client call sends the trace it is made in, or starts one; two hops share the trace", async () => {
  const a = idsOnly();
  const b = idsOnly();
  let inB: Context | undefined;
  const serverB = tracing(b.tracer)(async (c) => ((inB = c), {}), methodInfo(WalletService.method.getBalance, "server"));
  const wire: Endpoint = async (c, req) => serverB(derive(b.ctx, { trace: parseTraceparent(traceparent(c.trace!)) }), req);
  const clientA = tracing(a.tracer)(wire, methodInfo(WalletService.method.getBalance, "client"));
  let inA: Context | undefined;
  await tracing(a.tracer)(async (c) => ((inA = c), clientA(c, {})), echoServer)(a.ctx, {});
  assert.equal(inB!.trace, inA!.trace, "B runs in A's trace");

  let sent: Context["trace"];
  await tracing(a.tracer)(async (c) => ((sent = c.trace), {}), echoClient)(a.ctx, {});
  assert.match(sent!.traceId, /^[0-9a-f]{32}$/, "a background call starts a trace");
});

test.run();
