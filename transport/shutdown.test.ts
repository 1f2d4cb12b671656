// Graceful shutdown: calls in flight when close() starts finish (HTTP/1.1,
// HTTP/2, grpc-js), new connections are refused, and a call that outlives the
// grace period is aborted with UNAVAILABLE instead of hanging the shutdown.
// Over both serving paths (echo.fixture.ts SERVING_PATHS): the fast path's
// calls drain and abort like connect-node's.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as http from "node:http";
import * as net from "node:net";
import { Code as ConnectCode, ConnectError, createClient } from "@connectrpc/connect";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { connectTransport, grpcTransport } from "./client.js";
import { echoImpl, SERVING_PATHS, startEchoServer, type SeenCall } from "./echo.fixture.js";
import { grpcJsClient } from "./grpc-js.fixture.js";

async function until(condition: () => boolean, what: string, timeoutMs = 20_000) {
  const giveUp = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUp) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An HTTP/1.1 connection that answered one request and stays open, idle. */
function idleKeepAliveSocket(url: string): Promise<net.Socket> {
  const agent = new http.Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/healthz`, { agent }, (res) => {
      res.resume();
      res.once("end", () => resolve(req.socket as net.Socket));
    });
    req.once("error", reject);
  });
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  tests("calls in flight when close() starts complete; then new connections are refused", async () => {
    const seen: SeenCall[] = [];
    const server = await startEchoServer({ unaryFastPath, impl: echoImpl((c) => seen.push(c)) });
    const http1 = createClient(EchoService, connectTransport(server.url));
    const http2 = createClient(EchoService, grpcTransport(server.url));
    const connectGrpc = createClient(EchoService, grpcTransport(server.url, { unaryFastPath: false }));
    const grpcJs = grpcJsClient("itinera/echo/v1/echo.proto", "itinera.echo.v1.EchoService", `127.0.0.1:${server.port}`);
    try {
      const idle = await idleKeepAliveSocket(server.url);
      const idleClosed = new Promise<void>((resolve) => idle.once("close", () => resolve()));
      let finished = 0;
      const inFlight = [
        http1.slow({ delayMs: 3_000 }).then((r) => r.waitedMs),
        http2.slow({ delayMs: 3_000 }).then((r) => r.waitedMs),
        connectGrpc.slow({ delayMs: 3_000 }).then((r) => r.waitedMs),
        grpcJs.unary("Slow", { delayMs: 3_000 }).then((r) => r.waitedMs),
      ].map((call) => call.finally(() => finished++));
      await until(() => seen.filter((c) => c.method === "slow").length === 4, "the four slow calls to start");
      assert.is(server.unaryFastPathCalls, unaryFastPath ? 3 : 0, "the gRPC calls' path");

      const closed = server.close(30_000);
      assert.equal(await server.readiness.status(), { ready: false, reason: "shutting down" });
      await idleClosed;
      assert.is(finished, 0, "an idle keep-alive connection is closed at once, not after the calls in flight");
      assert.equal(await Promise.all(inFlight), [3_000, 3_000, 3_000, 3_000]);
      await closed;

      assert.ok(await connectionRefused(server.port), "a new connection is refused");
      const after = await http1.echo({ message: "too late" }).catch((e: unknown) => e);
      assert.is(ConnectError.from(after).code, ConnectCode.Unavailable);
    } finally {
      grpcJs.close();
      await server.close();
    }
  });

  tests("a call still running when the grace period ends is aborted with UNAVAILABLE", async () => {
    const seen: SeenCall[] = [];
    const server = await startEchoServer({ unaryFastPath, impl: echoImpl((c) => seen.push(c)) });
    const client = createClient(EchoService, grpcTransport(server.url));
    const stuck = client.slow({ delayMs: 120_000 }).catch((e: unknown) => e);
    const stuckConnectClient = createClient(EchoService, grpcTransport(server.url, { unaryFastPath: false }))
      .slow({ delayMs: 120_000 })
      .catch((e: unknown) => e);
    const stream = (async () => {
      const got: number[] = [];
      try {
        for await (const step of createClient(EchoService, connectTransport(server.url)).countdown({ count: 100, intervalMs: 1_000 })) {
          got.push(step.remaining);
        }
      } catch (e) {
        return { got, error: e };
      }
      return { got, error: undefined };
    })();
    await until(() => seen.filter((c) => c.method === "slow").length === 2 && seen.some((c) => c.method === "countdown"), "the calls to start");
    assert.is(server.unaryFastPathCalls, unaryFastPath ? 2 : 0, "the gRPC calls' path");

    const started = Date.now();
    await server.close(300);
    assert.ok(Date.now() - started < 15_000, "close() does not wait for the stuck calls");
    assert.is(ConnectError.from(await stuck).code, ConnectCode.Unavailable);
    assert.is(ConnectError.from(await stuckConnectClient).code, ConnectCode.Unavailable);
    const streamed = await stream;
    assert.ok(streamed.got.length >= 1 && streamed.got[0] === 100, "the stream had started");
    assert.ok(streamed.error !== undefined, "the stream ends with an error, not as if complete");
  });

  tests.run();
}
