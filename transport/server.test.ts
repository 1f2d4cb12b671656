// One port, every protocol: the same echo server answers Connect (binary and
// JSON, HTTP/1.1 and HTTP/2), gRPC (h2c), gRPC-Web, a plain grpc-js client and
// a plain fetch; server streaming works over each streaming-capable client.
// Over both serving paths (echo.fixture.ts SERVING_PATHS).
import * as net from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createClient, type Transport } from "@connectrpc/connect";
import { backgroundContext } from "../endpoints/context.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { clientOf, connectTransport, grpcTransport, grpcWebTransport } from "./client.js";
import { SERVING_PATHS, servedBy, silentLog, startEchoServer } from "./echo.fixture.js";
import { grpcJsClient } from "./grpc-js.fixture.js";
import type { RunningServer } from "./server.js";

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const test = suite(path);
  let server: RunningServer;

  test.before(async () => {
    server = await startEchoServer({ unaryFastPath });
  });
  test.after(async () => {
    await server.close(5_000);
  });

  const transports: Record<string, () => Transport> = {
    "Connect binary over HTTP/1.1": () => connectTransport(server.url),
    "Connect JSON over HTTP/1.1": () => connectTransport(server.url, { binary: false }),
    "Connect binary over HTTP/2": () => connectTransport(server.url, { http2: true }),
    "Connect JSON over HTTP/2": () => connectTransport(server.url, { http2: true, binary: false }),
    "gRPC over h2c": () => grpcTransport(server.url),
    "gRPC over h2c, connect-node's client": () => grpcTransport(server.url, { unaryFastPath: false }),
    "gRPC-Web over HTTP/1.1": () => grpcWebTransport(server.url),
    "gRPC-Web over HTTP/2": () => grpcWebTransport(server.url, { http2: true }),
  };

  for (const [name, transport] of Object.entries(transports)) {
    test(`${name}: unary and server streaming through a plain Connect client`, async () => {
      const client = createClient(EchoService, transport());
      const answer = await servedBy(server, unaryFastPath && name.startsWith("gRPC over h2c"), () => client.echo({ message: `hello via ${name}` }));
      assert.is(answer.message, `hello via ${name}`);
      const steps: number[] = [];
      // Streams are connect-node's on either path.
      await servedBy(server, false, async () => {
        for await (const step of client.countdown({ count: 3, intervalMs: 5 })) steps.push(step.remaining);
      });
      assert.equal(steps, [3, 2, 1]);
    });

    test(`${name}: the same calls through clientOf`, async () => {
      const echo = clientOf(EchoService, transport());
      const ctx = backgroundContext({ log: silentLog });
      assert.is((await echo.echo(ctx, { message: "héllo ✈" })).message, "héllo ✈");
      const steps: number[] = [];
      for await (const step of echo.countdown(ctx, { count: 4 })) steps.push(step.remaining);
      assert.equal(steps, [4, 3, 2, 1]);
      // int64 survives every encoding as a bigint
      const first = await echo.increment(ctx, { by: 2 });
      const second = await echo.increment(ctx, { by: 3 });
      assert.is(second.value - first.value, 3n);
    });
  }

  test("a plain @grpc/grpc-js client calls unary and server-streaming methods", async () => {
    const client = grpcJsClient("itinera/echo/v1/echo.proto", "itinera.echo.v1.EchoService", `127.0.0.1:${server.port}`);
    try {
      assert.equal(await servedBy(server, unaryFastPath, () => client.unary("Echo", { message: "from grpc-js" })), { message: "from grpc-js" });
      const steps = await servedBy(server, false, () => client.stream("Countdown", { count: 3, intervalMs: 1 }));
      assert.equal(steps, [{ remaining: 3 }, { remaining: 2 }, { remaining: 1 }]);
    } finally {
      client.close();
    }
  });

  test("a plain fetch POST of JSON is a Connect unary call (what curl does)", async () => {
    const res = await fetch(`${server.url}/itinera.echo.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "curl-like" }),
    });
    assert.is(res.status, 200);
    assert.equal(await res.json(), { message: "curl-like" });
  });

  test("an unknown procedure is a 404 over plain HTTP", async () => {
    const res = await fetch(`${server.url}/itinera.echo.v1.EchoService/Nope`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.is(res.status, 404);
  });

  /** Writes `chunks` to a raw connection, pausing between them; resolves with the first bytes answered. */
  function rawExchange(chunks: (string | Buffer)[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.port, "127.0.0.1", async () => {
        for (const chunk of chunks) {
          socket.write(chunk);
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data);
      });
      socket.once("error", reject);
    });
  }

  test("first bytes arriving in pieces are still told apart (HTTP/1.1 starting like the preface, split HTTP/2 preface)", async () => {
    const http1 = await rawExchange(["P", "OST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"]);
    // POST /healthz is not a probe: it reaches the RPC router, which knows no such procedure
    assert.match(http1.toString("latin1"), /^HTTP\/1\.1 404 /);
    const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    const emptySettings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const http2 = await rawExchange([preface.slice(0, 7), preface.slice(7), emptySettings]);
    assert.is(http2[3], 4, "the server answers with an HTTP/2 SETTINGS frame");
  });

  test("many concurrent calls over both HTTP versions on the same port", async () => {
    const h1 = createClient(EchoService, connectTransport(server.url));
    const h2 = createClient(EchoService, grpcTransport(server.url));
    const answers = await servedBy(
      server,
      unaryFastPath,
      () => Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? h1 : h2).echo({ message: `m${i}` }).then((r) => r.message))),
      20,
    );
    assert.equal(answers, Array.from({ length: 40 }, (_, i) => `m${i}`));
  });

  test.run();
}
