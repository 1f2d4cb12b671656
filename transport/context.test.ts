// The caller's Context reaches the server's Context: request id, trace
// context, deadline, bearer token; the server echoes the request id and makes
// one up when the caller sent none (or an unusable one).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, derive, type Context, type Principal } from "../endpoints/context.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { clientOf, connectTransport, grpcTransport, grpcWebTransport } from "./client.js";
import { callOptionsOf } from "./context.js";
import { echoImpl, silentLog, startEchoServer, type SeenCall } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";

let server: RunningServer;
const seen: SeenCall[] = [];
const authorizations: (string | undefined)[] = [];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };

test.before(async () => {
  server = await startEchoServer({
    impl: echoImpl((call) => seen.push(call)),
    authenticate: async (authorization) => {
      authorizations.push(authorization);
      const token = authorization?.replace(/^Bearer /, "");
      return token ? { kind: "customer", id: `customer-of-${token}`, roles: ["customer"], token } : undefined;
    },
  });
});
test.after(async () => {
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
  "gRPC-Web": () => grpcWebTransport(server.url),
})) {
  test(`${name}: request id, trace, deadline and principal travel from caller to server`, async () => {
    const echo = clientOf(EchoService, transport());
    const principal: Principal = { kind: "customer", id: "c-42", roles: ["customer"], token: "tok-42" };
    const sentAt = Date.now();
    const ctx = derive(backgroundContext({ log: silentLog, requestId: "req-abc.123", deadline: sentAt + 8_000, principal }), {
      trace,
    });
    await echo.echo(ctx, { message: "ctx" });

    const server = lastSeen();
    assert.is(server.requestId, "req-abc.123");
    assert.equal(server.trace, trace);
    assert.ok(server.deadline !== undefined, "the server has a deadline");
    // Approximately the caller's. Timeouts travel as durations (grpc-timeout,
    // connect-timeout-ms), so the server's deadline is later by the transit
    // time, which a loaded machine stretches: generous bounds both ways.
    assert.ok(server.deadline <= sentAt + 8_000 + 2_000, `server deadline ${server.deadline - sentAt} ms after sending`);
    assert.ok(server.deadline >= sentAt + 3_000, `server deadline ${server.deadline - sentAt} ms after sending`);
    assert.is(authorizations.at(-1), "Bearer tok-42");
    assert.is(server.principal?.id, "customer-of-tok-42");
  });

  test(`${name}: without a deadline or principal the server has none either`, async () => {
    const echo = clientOf(EchoService, transport());
    await echo.echo(backgroundContext({ log: silentLog, requestId: "req-plain" }), { message: "plain" });
    const server = lastSeen();
    assert.is(server.requestId, "req-plain");
    assert.is(server.deadline, undefined);
    assert.is(server.trace, undefined);
    assert.is(server.principal, undefined);
    assert.is(authorizations.at(-1), undefined);
  });
}

test("the server echoes x-request-id, and makes one when none or a bad one was sent", async () => {
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

test("the server's signal fires when the caller gives up", async () => {
  const echo = clientOf(EchoService, connectTransport(server.url, { http2: true }));
  const caller = new AbortController();
  const pending = echo.slow(backgroundContext({ log: silentLog, signal: caller.signal }), { delayMs: 60_000 });
  while (seen.at(-1)?.method !== "slow") {
    await new Promise((r) => setTimeout(r, 10));
  }
  const serverCtx = lastSeen();
  caller.abort();
  await pending.then(
    () => assert.unreachable("the call was aborted"),
    () => {},
  );
  await new Promise<void>((resolve) =>
    serverCtx.signal.aborted ? resolve() : serverCtx.signal.addEventListener("abort", () => resolve()),
  );
  assert.ok(serverCtx.signal.aborted);
});

for (const [name, transport] of Object.entries({
  "Connect over HTTP/1.1": () => connectTransport(server.url),
  gRPC: () => grpcTransport(server.url),
})) {
  test(`${name}: a caller that stops reading a stream early cancels it on the server`, async () => {
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
