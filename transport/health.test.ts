// grpc.health.v1.Health follows readiness: Check (whole server, each service,
// NOT_FOUND for unknown names) from grpc-js and Connect, List, and Watch
// streaming each change until the server shuts down.
// Over both serving paths (echo.fixture.ts SERVING_PATHS).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Code as ConnectCode, ConnectError, createClient } from "@connectrpc/connect";
import type { ServiceError } from "@grpc/grpc-js";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.js";
import { connectTransport, grpcTransport } from "./client.js";
import { SERVING_PATHS, servedBy, startEchoServer } from "./echo.fixture.js";
import { grpcJsClient } from "./grpc-js.fixture.js";

const ECHO = "itinera.echo.v1.EchoService";

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  async function withServer(run: (server: Awaited<ReturnType<typeof startEchoServer>>, setReady: (r: boolean | string) => void) => Promise<void>) {
    let ready: boolean | string = true;
    const server = await startEchoServer({ unaryFastPath, ready: async () => ready, healthPollMs: 20 });
    try {
      await run(server, (r) => (ready = r));
    } finally {
      await server.close(5_000);
    }
  }

  tests("Check from a plain grpc-js client: SERVING, then NOT_SERVING when readiness fails", () =>
    withServer(async (server, setReady) => {
      const health = grpcJsClient("grpc/health/v1/health.proto", "grpc.health.v1.Health", `127.0.0.1:${server.port}`);
      try {
        assert.equal(await servedBy(server, unaryFastPath, () => health.unary("Check", { service: "" })), { status: "SERVING" });
        assert.equal(await health.unary("Check", { service: ECHO }), { status: "SERVING" });
        setReady("database unreachable");
        assert.equal(await health.unary("Check", { service: ECHO }), { status: "NOT_SERVING" });
        const unknown = (await servedBy(server, unaryFastPath, () => health.unary("Check", { service: "no.such.Service" }).catch((e: unknown) => e))) as ServiceError;
        assert.is(unknown.code, 5);
      } finally {
        health.close();
      }
    }));

  tests("Check and List from a Connect client", () =>
    withServer(async (server, setReady) => {
      const health = createClient(Health, connectTransport(server.url));
      assert.is((await health.check({})).status, Status.SERVING);
      const err = await health.check({ service: "no.such.Service" }).catch((e: unknown) => e);
      assert.instance(err, ConnectError);
      assert.is((err as ConnectError).code, ConnectCode.NotFound);
      setReady(false);
      const list = await health.list({});
      assert.equal(Object.keys(list.statuses).sort(), ["", ECHO]);
      for (const s of Object.values(list.statuses)) assert.is(s.status, Status.NOT_SERVING);
    }));

  tests("Watch sends the status, each change, and NOT_SERVING then the end when the server shuts down", async () => {
    let ready: boolean | string = true;
    const server = await startEchoServer({ unaryFastPath, ready: async () => ready, healthPollMs: 20 });
    const health = createClient(Health, grpcTransport(server.url));
    const seen: Status[] = [];
    let closing: Promise<void> | undefined;
    for await (const res of health.watch({ service: ECHO })) {
      seen.push(res.status);
      if (seen.length === 1) ready = "warming up";
      if (seen.length === 2) ready = true;
      if (seen.length === 3) closing = server.close(5_000);
    }
    await closing;
    assert.equal(seen, [Status.SERVING, Status.NOT_SERVING, Status.SERVING, Status.NOT_SERVING]);
  });

  tests("Watch of an unknown service says SERVICE_UNKNOWN and stays open until the caller leaves", () =>
    withServer(async (server) => {
      const health = createClient(Health, connectTransport(server.url, { http2: true }));
      const caller = new AbortController();
      const seen: Status[] = [];
      try {
        for await (const res of health.watch({ service: "no.such.Service" }, { signal: caller.signal })) {
          seen.push(res.status);
          setTimeout(() => caller.abort(), 100);
        }
        assert.unreachable("the stream stays open");
      } catch (e) {
        assert.is(ConnectError.from(e).code, ConnectCode.Canceled);
      }
      assert.equal(seen, [Status.SERVICE_UNKNOWN]);
    }));

  tests.run();
}
