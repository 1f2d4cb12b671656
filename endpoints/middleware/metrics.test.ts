import { test } from "uvu";
import * as assert from "uvu/assert";
import { Gauge, Registry, register as globalRegistry } from "prom-client";
import { metrics } from "./metrics.js";
import { methodInfo, type Endpoint } from "../endpoint.js";
import { Code, KitError, notFound } from "../errors.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";
import { countdownServer as countdown, deferred, echoServer as echo, silentContext } from "../testing.js";

const ctx = silentContext();

/** The value of one series, found by metric name (or histogram sub-name) and labels. */
async function value(registry: Registry, metricName: string, labels: Record<string, string | number>) {
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const name = (v as { metricName?: string }).metricName ?? metric.name;
      if (name !== metricName) continue;
      if (Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want)) return v.value;
    }
  }
  return undefined;
}

const echoLabels = { side: "server", service: "itinera.echo.v1.EchoService", method: "Echo" };

test("counts calls by code, times them and tracks calls in flight", async () => {
  const registry = new Registry();
  const gate = deferred();
  const base: Endpoint = async (_c, req) => {
    if (req === "missing") throw notFound("no such thing");
    if (req === "bug") throw new Error("bug");
    if (req === "wait") await gate.promise;
    return req;
  };
  const ep = metrics(registry)(base, echo);
  assert.is(await value(registry, "rpc_in_flight", echoLabels), 0, "the series exists before the first call");

  await ep(ctx, "a");
  await ep(ctx, "b");
  await ep(ctx, "missing").catch(() => {});
  await ep(ctx, "missing").catch(() => {}); // the label set bound for NOT_FOUND the first time counts again
  await ep(ctx, "bug").catch(() => {});
  const waiting = ep(ctx, "wait");
  assert.is(await value(registry, "rpc_in_flight", echoLabels), 1);
  gate.resolve();
  await waiting;
  assert.is(await value(registry, "rpc_in_flight", echoLabels), 0);

  assert.is(await value(registry, "rpc_requests_total", { ...echoLabels, code: "OK" }), 3);
  assert.is(await value(registry, "rpc_requests_total", { ...echoLabels, code: "NOT_FOUND" }), 2);
  assert.is(await value(registry, "rpc_requests_total", { ...echoLabels, code: "INTERNAL" }), 1);
  assert.is(await value(registry, "rpc_request_duration_seconds_count", echoLabels), 6);
  const text = await registry.metrics();
  assert.ok(text.includes('rpc_request_duration_seconds_bucket{le="0.0005"'), "the smallest bucket is 0.5 ms");
  assert.ok(text.includes('rpc_request_duration_seconds_bucket{le="10"'), "the largest bucket is 10 s");
  assert.ok(text.includes("# TYPE rpc_requests_total counter"));
  assert.ok(text.includes("# TYPE rpc_in_flight gauge"));
});

test("a stream is one call that lasts until it ends", async () => {
  const registry = new Registry();
  const labels = { side: "server", service: "itinera.echo.v1.EchoService", method: "Countdown" };
  async function* twoThenFail() {
    yield 2;
    yield 1;
    throw new KitError(Code.Unavailable, "gone");
  }
  const ep = metrics(registry)(async () => twoThenFail(), countdown);
  const stream = (await ep(ctx, {})) as AsyncIterable<number>;
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  assert.is(await value(registry, "rpc_in_flight", labels), 1);
  assert.is(await value(registry, "rpc_requests_total", { ...labels, code: "UNAVAILABLE" }), undefined);
  await it.next();
  await it.next().catch(() => {});
  assert.is(await value(registry, "rpc_in_flight", labels), 0);
  assert.is(await value(registry, "rpc_requests_total", { ...labels, code: "UNAVAILABLE" }), 1);
  assert.is(await value(registry, "rpc_request_duration_seconds_count", labels), 1);

  const early = metrics(registry)(async () => Promise.reject(notFound("x")), countdown);
  await early(ctx, {}).catch(() => {});
  assert.is(await value(registry, "rpc_requests_total", { ...labels, code: "NOT_FOUND" }), 1);
  assert.is(await value(registry, "rpc_in_flight", labels), 0);
});

test("many factories on one registry share the metrics; the global registry stays empty", async () => {
  const registry = new Registry();
  const base: Endpoint = async () => "ok";
  const server = metrics(registry)(base, echo);
  const client = metrics(registry)(base, methodInfo(EchoService.method.echo, "client"));
  const again = metrics(registry)(base, echo);
  await server(ctx, {});
  await client(ctx, {});
  await again(ctx, {});
  assert.is(await value(registry, "rpc_requests_total", { ...echoLabels, code: "OK" }), 2);
  assert.is(await value(registry, "rpc_requests_total", { ...echoLabels, side: "client", code: "OK" }), 1);
  assert.is(registry.getMetricsAsArray().length, 3);
  assert.is(globalRegistry.getSingleMetric("rpc_requests_total"), undefined);
});

test("a metric of another kind under the same name is a wiring error", () => {
  const registry = new Registry();
  new Gauge({ name: "rpc_requests_total", help: "wrong", registers: [registry] });
  assert.throws(() => metrics(registry), /another kind/);
});

test.run();
