import { test } from "uvu";
import * as assert from "uvu/assert";
import { logging, levelFor } from "./logging.js";
import { backgroundContext, derive } from "../context.js";
import type { Endpoint } from "../endpoint.js";
import { Code, KitError, invalidArgument, unavailable } from "../errors.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";
import { Registry } from "prom-client";
import { endpointsOf, type Service } from "../service.js";
import { recover } from "./recover.js";
import { tracing } from "./tracing.js";
import { metrics } from "./metrics.js";
import { deadline } from "./deadline.js";
import { createTracing } from "../../platform/tracing.js";
import pino from "pino";
import { capture as captureLines, capturingContext, countdownClient as countdown, echoServer as echo, rejection } from "../testing.js";

function capture() {
  const { lines, log, ctx } = capturingContext({ service: "echo", level: "debug", requestId: "req-1" });
  // What the transport and tracing hand over: a logger bound to the request and trace.
  return {
    lines,
    ctx: derive(ctx, { log: log.child({ request_id: "req-1", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" }) }),
  };
}

test("a successful call logs one info line with procedure, side, OK, duration and the bound ids", async () => {
  const { lines, ctx } = capture();
  const base: Endpoint = async () => ({ message: "the response body" });
  await logging()(base, echo)(ctx, { message: "the request body" });
  assert.is(lines.length, 1);
  const line = lines[0]!;
  assert.is(line.level, "info");
  assert.is(line.procedure, "/itinera.echo.v1.EchoService/Echo");
  assert.is(line.side, "server");
  assert.is(line.code, "OK");
  assert.type(line.duration_ms, "number");
  assert.ok((line.duration_ms as number) >= 0);
  assert.is(line.request_id, "req-1");
  assert.is(line.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.is(line.service, "echo");
  assert.is(line.error, undefined);
  const text = JSON.stringify(line);
  assert.not.ok(text.includes("the request body") || text.includes("the response body"), "no bodies in logs");
});

test("the duration covers the call", async () => {
  const { lines, ctx } = capture();
  const base: Endpoint = () => new Promise((r) => setTimeout(() => r({}), 30));
  await logging()(base, echo)(ctx, {});
  assert.ok((lines[0]!.duration_ms as number) >= 25, `duration ${lines[0]!.duration_ms}`);
});

test("a failure logs its code and message, at a level that says whose fault it is", async () => {
  const { lines, ctx } = capture();
  const failWith =
    (e: unknown): Endpoint =>
    async () => {
      throw e;
    };
  const cases: [unknown, string, string][] = [
    [invalidArgument("amount must be greater than zero"), "INVALID_ARGUMENT", "info"],
    [new KitError(Code.NotFound, "no such wallet"), "NOT_FOUND", "info"],
    [unavailable("pricing is unavailable"), "UNAVAILABLE", "warn"],
    [new KitError(Code.DeadlineExceeded, "too slow"), "DEADLINE_EXCEEDED", "warn"],
    [new KitError(Code.Internal, "internal error"), "INTERNAL", "error"],
    [new Error("plain bug"), "INTERNAL", "error"],
  ];
  for (const [error, code, level] of cases) {
    const e = await rejection(logging()(failWith(error), echo)(ctx, {}));
    assert.is(e, error, "the error is rethrown unchanged");
    const line = lines.at(-1)!;
    assert.is(line.code, code);
    assert.is(line.level, level, code);
    assert.is(line.error, (error as Error).message);
  }
  assert.is(lines.length, cases.length);
});

test("levelFor classifies every code", () => {
  assert.is(levelFor(0), "info");
  for (const c of [Code.Canceled, Code.AlreadyExists, Code.FailedPrecondition, Code.Unauthenticated, Code.PermissionDenied, Code.ResourceExhausted])
    assert.is(levelFor(c), "info");
  assert.is(levelFor(Code.DataLoss), "error");
  assert.is(levelFor(Code.Unknown), "error");
});

test("a stream is logged once, when it ends, with its outcome", async () => {
  const { lines, ctx } = capture();
  let produced = 0;
  async function* three() {
    for (let i = 3; i > 0; i--) {
      produced++;
      yield { remaining: i };
    }
  }
  const stream = (await logging()(async () => three(), countdown)(ctx, {})) as AsyncIterable<unknown>;
  assert.is(lines.length, 0, "nothing is logged before the stream ends");
  for await (const _ of stream) assert.is(lines.length, 0);
  assert.is(produced, 3);
  assert.is(lines.length, 1);
  assert.is(lines[0]!.code, "OK");
  assert.is(lines[0]!.side, "client");

  async function* failing() {
    yield { remaining: 1 };
    throw unavailable("the seller went away");
  }
  const bad = (await logging()(async () => failing(), countdown)(ctx, {})) as AsyncIterable<unknown>;
  await rejection((async () => {
    for await (const _ of bad);
  })());
  assert.is(lines.length, 2);
  assert.is(lines[1]!.code, "UNAVAILABLE");
  assert.is(lines[1]!.level, "warn");
  assert.is(lines[1]!.error, "the seller went away");

  const early = await rejection(logging()(async () => Promise.reject(invalidArgument("count must be positive")), countdown)(ctx, {}));
  assert.instance(early, KitError);
  assert.is(lines.length, 3);
  assert.is(lines[2]!.code, "INVALID_ARGUMENT");
});

test("a stream the consumer abandons is logged once, as OK", async () => {
  const { lines, ctx } = capture();
  async function* endless() {
    for (let i = 0; ; i++) yield i;
  }
  const stream = (await logging()(async () => endless(), countdown)(ctx, {})) as AsyncIterable<number>;
  for await (const n of stream) if (n === 2) break;
  assert.is(lines.length, 1);
  assert.is(lines[0]!.code, "OK");
});

test("a busy process logs a sample of its successes, and every failure", async () => {
  // No trace is sampled and two other successes a second are allowed; the clock stands still.
  const successes = { successOneIn: 0, successesPerSecond: 2, now: () => 1_000 };
  const ok: Endpoint = async () => ({});
  const busy = capturingContext({ service: "echo", requestId: "req-1", successes });
  for (let i = 0; i < 5; i++) await logging()(ok, echo)(busy.ctx, {});
  assert.equal(busy.lines.map((l) => [l.level, l.msg, l.code]), [["info", "rpc finished", "OK"], ["info", "rpc finished", "OK"]]);
  await rejection(logging()(async () => Promise.reject(invalidArgument("amount must be greater than zero")), echo)(busy.ctx, {}));
  assert.equal(busy.lines.at(-1)!.msg, "rpc failed", "a failure is logged beyond the budget");
  assert.is(busy.lines.at(-1)!.request_id, "req-1");

  const debug = capturingContext({ service: "echo", level: "debug", successes });
  for (let i = 0; i < 5; i++) await logging()(ok, echo)(debug.ctx, {});
  assert.equal(debug.lines.map((l) => l.level), ["info", "info", "debug", "debug", "debug"], "at debug, every success is there");
});

test("a sampled trace's successes are logged in every process; a slow call always, as a warning", async () => {
  const successes = { successOneIn: 2, successesPerSecond: 0 };
  const ok: Endpoint = async () => ({});
  const sampled = { traceId: "4bf92f3577b34da6a3ce929d00000001", spanId: "00f067aa0ba902b7", traceFlags: 0 };
  const unsampled = { ...sampled, traceId: "4bf92f3577b34da6a3ce929dfffffffe" };
  for (const service of ["search", "wallet"]) {
    const { lines, ctx } = capturingContext({ service, successes });
    await logging()(ok, echo)(derive(ctx, { trace: sampled }), {});
    await logging()(ok, echo)(derive(ctx, { trace: unsampled }), {});
    assert.is(lines.length, 1, service);
    assert.is(lines[0]!.level, "info");
  }
  const slow = capturingContext({ service: "echo", successes: { ...successes, slowMs: 0 } });
  await logging()(ok, echo)(derive(slow.ctx, { trace: unsampled }), {});
  assert.is(slow.lines.length, 1);
  assert.is(slow.lines[0]!.level, "warn");
  assert.is(slow.lines[0]!.msg, "rpc finished");
  assert.is(slow.lines[0]!.slow, true);
});

test("a logger made elsewhere (without createLogger's sampler) logs every success", async () => {
  const { lines, stream } = captureLines();
  const ctx = backgroundContext({ log: pino(stream) });
  for (let i = 0; i < 20; i++) await logging()(async () => ({}), echo)(ctx, {});
  assert.is(lines.length, 20);
});

test("in the server chain main.ts builds, the line carries the span and the deadline's outcome", async () => {
  const { lines, ctx } = capture();
  const registry = new Registry();
  const { tracer, shutdown } = createTracing({ serviceName: "echo" });
  const impl: Service<typeof EchoService> = {
    async echo(_c, req) {
      return { message: req.message };
    },
    async increment() {
      return { value: 1n };
    },
    async *countdown() {},
    async slow(c) {
      // Honours its signal, as a handler should.
      await new Promise((_, reject) => c.signal.addEventListener("abort", () => reject(c.signal.reason)));
      return { waitedMs: 0 };
    },
  };
  const set = endpointsOf(EchoService, impl, recover(), tracing(tracer), logging(), metrics(registry), deadline({ defaultTimeoutMs: 10_000 }));
  const slow = set.get("slow")!.endpoint;
  const e = await rejection(slow(ctx, { delayMs: 5_000 }));
  assert.is((e as KitError).code, Code.DeadlineExceeded);
  const line = lines.find((l) => l.procedure === "/itinera.echo.v1.EchoService/Slow")!;
  assert.is(line.code, "DEADLINE_EXCEEDED");
  assert.is(line.level, "warn");
  // No exporter: no span is made, the call starts a trace and its lines carry the trace id (tracing.ts).
  assert.match(String(line.trace_id), /^[0-9a-f]{32}$/);
  assert.is(line.request_id, "req-1");
  assert.ok((line.duration_ms as number) >= 150, "the method's 200 ms option applied");
  assert.ok((await registry.metrics()).includes('rpc_requests_total{side="server",service="itinera.echo.v1.EchoService",method="Slow",code="DEADLINE_EXCEEDED"} 1'));
  await shutdown();
});

test.run();
