// The caller's Context reaches the server's Context: request id, trace
// context, deadline, bearer token; the server echoes the request id and makes
// one up when the caller sent none (or an unusable one). Over both serving
// paths (echo.fixture.ts SERVING_PATHS).
import * as http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, derive, type Context, type Principal } from "../endpoints/context.js";
import { unauthenticated } from "../endpoints/errors.js";
import { EchoRequestSchema, EchoService, SlowRequestSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { clientOf, connectTransport, grpcTransport, grpcWebTransport } from "./client.js";
import { callOptionsOf } from "./context.js";
import { echoImpl, SERVING_PATHS, servedBy, silentLog, startEchoServer, type SeenCall } from "./echo.fixture.js";
import { frame, rawGrpc } from "./h2-grpc.fixture.js";
import { until } from "../platform/processes.testing.js";
import type { RunningServer } from "./server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  let server: RunningServer;
  const seen: SeenCall[] = [];
  const authorizations: (string | undefined)[] = [];

  tests.before(async () => {
    server = await startEchoServer({
      unaryFastPath,
      impl: echoImpl((call) => seen.push(call)),
      authenticate: async (authorization) => {
        authorizations.push(authorization);
        const token = authorization?.replace(/^Bearer /, "");
        if (token === "refused") throw unauthenticated("the token is refused");
        return token ? { kind: "customer", id: `customer-of-${token}`, roles: ["customer"], token } : undefined;
      },
    });
  });
  tests.after(async () => {
    await server.close(5_000);
  });

  function lastSeen(): Context {
    const call = seen.at(-1);
    assert.ok(call, "the server saw the call");
    return call.ctx;
  }

  for (const [name, transport] of Object.entries({
    Connect: () => connectTransport(server.url),
    gRPC: () => grpcTransport(server.url),
    "gRPC, connect-node's client": () => grpcTransport(server.url, { unaryFastPath: false }),
    "gRPC-Web": () => grpcWebTransport(server.url),
  })) {
    tests(`${name}: request id, trace, deadline and principal travel from caller to server`, async () => {
      const echo = clientOf(EchoService, transport());
      const principal: Principal = { kind: "customer", id: "c-42", roles: ["customer"], token: "tok-42" };
      const sentAt = Date.now();
      const ctx = derive(backgroundContext({ log: silentLog, requestId: "req-abc.123", deadline: sentAt + 8_000, principal }), {
        trace,
      });
      await servedBy(server, unaryFastPath && name.startsWith("gRPC") && name !== "gRPC-Web", () => echo.echo(ctx, { message: "ctx" }));

      const seenCtx = lastSeen();
      assert.is(seenCtx.requestId, "req-abc.123");
      assert.equal(seenCtx.trace, trace);
      assert.ok(seenCtx.deadline !== undefined, "the server has a deadline");
      // Approximately the caller's. Timeouts travel as durations (grpc-timeout,
      // connect-timeout-ms), so the server's deadline is later by the transit
      // time, which a loaded machine stretches: generous bounds both ways.
      assert.ok(seenCtx.deadline <= sentAt + 8_000 + 2_000, `server deadline ${seenCtx.deadline - sentAt} ms after sending`);
      assert.ok(seenCtx.deadline >= sentAt + 3_000, `server deadline ${seenCtx.deadline - sentAt} ms after sending`);
      assert.is(authorizations.at(-1), "Bearer tok-42");
      assert.is(seenCtx.principal?.id, "customer-of-tok-42");
    });

    tests(`${name}: without a deadline or principal the server has none either`, async () => {
      const echo = clientOf(EchoService, transport());
      await servedBy(server, unaryFastPath && name.startsWith("gRPC") && name !== "gRPC-Web", () => echo.echo(backgroundContext({ log: silentLog, requestId: "req-plain" }), { message: "plain" }));
      const seenCtx = lastSeen();
      assert.is(seenCtx.requestId, "req-plain");
      assert.is(seenCtx.deadline, undefined);
      assert.is(seenCtx.trace, undefined);
      assert.is(seenCtx.principal, undefined);
      assert.is(authorizations.at(-1), undefined);
    });
  }

  tests("the server echoes x-request-id, and makes one when none or a bad one was sent", async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${server.url}/itinera.echo.v1.EchoService/Echo`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: "{}",
      });
    const echoed = await call({ "x-request-id": "abc-1" });
    assert.is(echoed.headers.get("x-request-id"), "abc-1");
    assert.is(lastSeen().requestId, "abc-1");

    const made = await call({});
    assert.match(made.headers.get("x-request-id") ?? "", UUID);
    assert.is(lastSeen().requestId, made.headers.get("x-request-id"));

    const replaced = await call({ "x-request-id": "has spaces\tand tabs" });
    assert.match(replaced.headers.get("x-request-id") ?? "", UUID);
  });

  for (const [name, transport] of Object.entries({
    "Connect over HTTP/2": () => connectTransport(server.url, { http2: true }),
    gRPC: () => grpcTransport(server.url),
    "gRPC, connect-node's client": () => grpcTransport(server.url, { unaryFastPath: false }),
  })) {
    tests(`${name}: the server's signal fires when the caller gives up`, async () => {
      const echo = clientOf(EchoService, transport());
      const caller = new AbortController();
      const served = servedBy(server, unaryFastPath && name.startsWith("gRPC") && name !== "gRPC-Web", async () => {
        const before = seen.length;
        const pending = echo.slow(backgroundContext({ log: silentLog, signal: caller.signal }), { delayMs: 60_000 });
        await until("the slow call at the server", () => (seen.length > before && seen.at(-1)?.method === "slow" ? true : undefined));
        const serverCtx = lastSeen();
        caller.abort();
        await pending.then(
          () => assert.unreachable("the call was aborted"),
          () => {},
        );
        return serverCtx;
      });
      const serverCtx = await served;
      await new Promise<void>((resolve) =>
        serverCtx.signal.aborted ? resolve() : serverCtx.signal.addEventListener("abort", () => resolve()),
      );
      assert.ok(serverCtx.signal.aborted);
    });
  }

  tests("gRPC: grpc-timeout is the server's deadline; passing it is DEADLINE_EXCEEDED, one that does not parse INVALID_ARGUMENT", async () => {
    const session = http2.connect(server.url);
    try {
      const slow = frame(toBinary(SlowRequestSchema, create(SlowRequestSchema, { delayMs: 60_000 })));
      const path = "/itinera.echo.v1.EchoService/Slow";
      const late = await servedBy(server, unaryFastPath, () => rawGrpc(session, path, slow, { "grpc-timeout": "200m", "x-request-id": "late-1" }));
      assert.is(late.status, "4");
      assert.is(late.headers["x-request-id"], "late-1");
      const serverCtx = lastSeen();
      assert.ok(serverCtx.signal.aborted, "the server's signal fired at the deadline");
      const bad = await servedBy(server, unaryFastPath, () => rawGrpc(session, path, slow, { "grpc-timeout": "soon" }));
      assert.equal([bad.status, bad.message], ["3", "protocol error: invalid grpc timeout value: soon"]);
    } finally {
      session.close();
    }
  });

  tests("gRPC: a refused caller gets UNAUTHENTICATED and the endpoint never runs", async () => {
    const session = http2.connect(server.url);
    try {
      const before = seen.length;
      const echo = frame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "hi" })));
      const path = "/itinera.echo.v1.EchoService/Echo";
      const refused = await servedBy(server, unaryFastPath, () => rawGrpc(session, path, echo, { authorization: "Bearer refused" }));
      assert.equal([refused.status, refused.message], ["16", "the token is refused"]);
      assert.match(String(refused.headers["x-request-id"]), UUID);
      // The fast path refuses before it reads the body: a refused caller's 2 GiB
      // announcement is never looked at. connect-node reads (and refuses) the body first.
      const huge = await rawGrpc(session, path, frame(new Uint8Array(0), 0, 0x7fffffff), { authorization: "Bearer refused" });
      assert.is(huge.status, unaryFastPath ? "16" : "8");
      assert.is(seen.length, before, "the endpoint never ran");
    } finally {
      session.close();
    }
  });

  for (const [name, transport] of Object.entries({
    "Connect over HTTP/1.1": () => connectTransport(server.url),
    gRPC: () => grpcTransport(server.url),
  })) {
    tests(`${name}: a caller that stops reading a stream early cancels it on the server`, async () => {
      const echo = clientOf(EchoService, transport());
      const got: number[] = [];
      for await (const step of echo.countdown(backgroundContext({ log: silentLog }), { count: 1_000, intervalMs: 200 })) {
        got.push(step.remaining);
        if (got.length === 2) break;
      }
      assert.equal(got, [1_000, 999]);
      const serverCtx = seen.filter((c) => c.method === "countdown").at(-1)!.ctx;
      await new Promise<void>((resolve) =>
        serverCtx.signal.aborted ? resolve() : serverCtx.signal.addEventListener("abort", () => resolve()),
      );
      assert.ok(serverCtx.signal.aborted);
    });
  }

  tests.run();
}

test("callOptionsOf: remaining time at least 1 ms, headers from the context", () => {
  const now = 1_000_000;
  const ctx = derive(backgroundContext({ log: silentLog, requestId: "r1", deadline: now + 1234.2 }), { trace });
  const opts = callOptionsOf(ctx, now);
  assert.is(opts.timeoutMs, 1235);
  const headers = new Headers(opts.headers);
  assert.is(headers.get("x-request-id"), "r1");
  assert.is(headers.get("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  assert.is(headers.get("authorization"), null);
  assert.is(callOptionsOf(derive(ctx, { deadline: now - 50 }), now).timeoutMs, 1);
  assert.is(callOptionsOf(derive(ctx, { deadline: undefined }), now).timeoutMs, undefined);
});

test.run();
