// The fast unary gRPC client (transport/grpc-unary-client.ts) fails the way
// connect-node's gRPC client does, code for code: nothing listening
// (UNAVAILABLE, what retries and breakers count on), the deadline passing, the
// caller giving up, a path the server does not serve, a connection cut during
// the call, a server that answers with something other than gRPC. Successes, kit errors, metadata and
// shutdown are in the other transport suites, which run over both clients.
import * as http2 from "node:http2";
import * as net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { grpcTransport } from "./client.js";
import { startEchoServer } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";

const CLIENTS = { fast: { unaryFastPath: true }, "connect-node": { unaryFastPath: false } } as const;
let server: RunningServer;

test.before(async () => {
  server = await startEchoServer();
});
test.after(async () => {
  await server.close(5_000);
});

/** The code each client's call failed with (or "OK"). */
async function codes(url: string, call: (transport: ReturnType<typeof grpcTransport>) => Promise<unknown>) {
  const out: Record<string, string> = {};
  for (const [name, opts] of Object.entries(CLIENTS)) {
    out[name] = await call(grpcTransport(url, opts)).then(
      () => "OK",
      (e: unknown) => Code[ConnectError.from(e).code]!,
    );
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

test("nothing listening: UNAVAILABLE from both", async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  assert.equal(await codes(url, (t) => createClient(EchoService, t).echo({ message: "x" })), { fast: "Unavailable", "connect-node": "Unavailable" });
});

test("the deadline passes: DEADLINE_EXCEEDED from both", async () => {
  const result = await codes(server.url, (t) => createClient(EchoService, t).slow({ delayMs: 60_000 }, { timeoutMs: 100 }));
  assert.equal(result, { fast: "DeadlineExceeded", "connect-node": "DeadlineExceeded" });
});

test("the caller gives up: CANCELED from both, before or during the call", async () => {
  const during = await codes(server.url, (t) => createClient(EchoService, t).slow({ delayMs: 60_000 }, { signal: AbortSignal.timeout(100) }));
  assert.equal(during, { fast: "Canceled", "connect-node": "Canceled" });
  const gaveUp = new AbortController();
  gaveUp.abort();
  const before = await codes(server.url, (t) => createClient(EchoService, t).echo({ message: "x" }, { signal: gaveUp.signal }));
  assert.equal(before, { fast: "Canceled", "connect-node": "Canceled" });
});

test("a service the server does not serve: the same code from both", async () => {
  const result = await codes(server.url, (t) => createClient(WalletService, t).getBalance({ customerId: "c", currency: "EUR" }));
  assert.is(result.fast, result["connect-node"]);
  assert.is(result.fast, "Unimplemented");
});

test("a connection closed or reset in the middle of a call: CANCELED, or ABORTED, from both", async () => {
  for (const [cut, expected] of [
    [(socket: net.Socket) => socket.destroy(), "Canceled"],
    [(socket: net.Socket) => socket.resetAndDestroy(), "Aborted"],
  ] as const) {
    const cutting = http2.createServer((req) => cut(req.stream.session!.socket as net.Socket));
    await new Promise<void>((resolve) => cutting.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(cutting.address() as net.AddressInfo).port}`;
      const result = await codes(url, (t) => createClient(EchoService, t).echo({ message: "x" }));
      assert.equal(result, { fast: expected, "connect-node": expected });
    } finally {
      await new Promise((resolve) => cutting.close(resolve));
    }
  }
});

test("a server that refuses a call with a stream reset: the code gRPC gives that reset", async () => {
  for (const [rst, expected] of [
    [http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, "ResourceExhausted"],
    [http2.constants.NGHTTP2_REFUSED_STREAM, "Unavailable"],
  ] as const) {
    const refusing = http2.createServer((req) => req.stream.close(rst));
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(refusing.address() as net.AddressInfo).port}`;
      const result = await codes(url, (t) => createClient(EchoService, t).echo({ message: "x" }));
      // connect-node says INTERNAL for ENHANCE_YOUR_CALM (an overloaded peer): the fast client follows gRPC's HTTP/2 mapping.
      assert.is(result.fast, expected, `reset ${rst}`);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  }
});

test("a server that answers HTTP/2 but not gRPC: the same code from both", async () => {
  const plain = http2.createServer((_req, res) => {
    res.writeHead(503, { "content-type": "text/plain" });
    res.end("down for maintenance\n");
  });
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(plain.address() as net.AddressInfo).port}`;
    const result = await codes(url, (t) => createClient(EchoService, t).echo({ message: "x" }));
    assert.equal(result, { fast: "Unavailable", "connect-node": "Unavailable" });
  } finally {
    await new Promise((resolve) => plain.close(resolve));
  }
});

test.run();
