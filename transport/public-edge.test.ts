// A public edge's server (what the BFF starts): reflection off and /metrics
// only on the admin listener, which serves the probes and nothing else; the
// RPCs, health and the probes on the main port stay. The same server with
// the defaults (an internal service) still serves both, so the test can fail.
// Over both serving paths (echo.fixture.ts SERVING_PATHS).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Counter, Registry } from "prom-client";
import { ServerReflection } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { grpcTransport } from "./client.js";
import { SERVING_PATHS, servedBy, startEchoServer } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";

const registry = new Registry();
new Counter({ name: "itinera_edge_test_total", help: "a metric to find", registers: [registry] });
for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  let edge: RunningServer;
  let internal: RunningServer;

  tests.before(async () => {
    edge = await startEchoServer({ unaryFastPath, metrics: registry, reflection: false, admin: { port: 0 } });
    internal = await startEchoServer({ unaryFastPath, metrics: registry });
  });
  tests.after(async () => {
    await Promise.all([edge?.close(5_000), internal?.close(5_000)]);
  });

  async function reflect(url: string): Promise<string> {
    const client = createClient(ServerReflection, grpcTransport(url));
    async function* one() {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
    }
    try {
      for await (const res of client.serverReflectionInfo(one())) return res.messageResponse.case ?? "none";
      return "none";
    } catch (e) {
      return Code[ConnectError.from(e).code];
    }
  }

  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  };

  tests("an internal server answers reflection and /metrics on its port (the default)", async () => {
    assert.is(await reflect(internal.url), "listServicesResponse");
    const metrics = await get(`${internal.url}/metrics`);
    assert.is(metrics.status, 200);
    assert.match(metrics.body, /itinera_edge_test_total/);
    assert.is(internal.adminPort, undefined);
  });

  tests("the public edge serves no reflection and no /metrics on its port; RPCs and probes stay", async () => {
    assert.is(await reflect(edge.url), "Unimplemented");
    const metrics = await get(`${edge.url}/metrics`);
    assert.is(metrics.status, 404);
    assert.not.match(metrics.body, /itinera_edge_test_total/);
    assert.equal([(await get(`${edge.url}/healthz`)).status, (await get(`${edge.url}/readyz`)).status], [200, 200]);
    const echo = createClient(EchoService, grpcTransport(edge.url));
    assert.is((await servedBy(edge, unaryFastPath, () => echo.echo({ message: "still here" }))).message, "still here");
  });

  tests("its admin listener, on 127.0.0.1, serves /metrics and the probes, and nothing else", async () => {
    const admin = `http://127.0.0.1:${edge.adminPort}`;
    assert.ok(edge.adminPort && edge.adminPort !== edge.port);
    const metrics = await get(`${admin}/metrics`);
    assert.is(metrics.status, 200);
    assert.match(metrics.body, /itinera_edge_test_total/);
    assert.is((await get(`${admin}/healthz`)).status, 200);
    const rpc = await fetch(`${admin}/itinera.echo.v1.EchoService/Echo`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.is(rpc.status, 404);
    await rpc.body?.cancel();
    assert.is(await reflect(admin), "Unimplemented");
  });

  tests.run();
}
