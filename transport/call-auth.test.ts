// What a server learns about a call beyond its authorization header: the
// caller's address (the socket's, or the last X-Forwarded-For entry only when
// the proxy is trusted), and `authenticateCall`, which sees the cookies and
// the method, may set response headers (several Set-Cookie lines included)
// and may refuse the call with a kit error — unary and streaming alike.
// Over both serving paths (echo.fixture.ts SERVING_PATHS).
import * as http from "node:http";
import * as http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, derive, type Context } from "../endpoints/context.js";
import { permissionDenied } from "../endpoints/errors.js";
import { endpointsOf } from "../endpoints/service.js";
import { EchoRequestSchema, EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { clientOf, grpcTransport } from "./client.js";
import type { AuthenticateCall } from "./context.js";
import { echoImpl, SERVING_PATHS, servedBy, silentLog, type SeenCall } from "./echo.fixture.js";
import { frame, rawGrpc } from "./h2-grpc.fixture.js";
import { serveService } from "./serve.js";
import { startServer, type RunningServer } from "./server.js";

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  const seen: SeenCall[] = [];
  const calls: { method: string; cookie: string | null }[] = [];
  let plain: RunningServer;
  let proxied: RunningServer;

  const authenticateCall: AuthenticateCall = async (ctx: Context, call) => {
    calls.push({ method: call.method.name, cookie: call.requestHeader.get("cookie") });
    const cookie = call.requestHeader.get("cookie") ?? "";
    if (cookie.includes("refuse=1")) throw permissionDenied("refused by the cookie");
    call.responseHeader.append("set-cookie", "a=1; Path=/; HttpOnly");
    call.responseHeader.append("set-cookie", "b=2; Path=/; SameSite=Strict");
    const id = /who=(\w+)/.exec(cookie)?.[1];
    return id ? derive(ctx, { principal: { kind: "customer", id, roles: [] } }) : ctx;
  };

  async function start(trustProxy: boolean) {
    return startServer({
      port: 0,
      log: silentLog,
      unaryFastPath,
      routes: (router) =>
        serveService(router, EchoService, endpointsOf(EchoService, echoImpl((c) => seen.push(c))), {
          log: silentLog,
          authenticateCall,
          trustProxy,
        }),
    });
  }

  tests.before(async () => {
    plain = await start(false);
    proxied = await start(true);
  });
  tests.after(async () => {
    await plain?.close(5_000);
    await proxied?.close(5_000);
  });

  interface Answer {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
  }

  /** A Connect JSON POST over HTTP/1.1 from a chosen local address (127.0.0.0/8 is all loopback on Linux). */
  function post(server: RunningServer, path: string, body: unknown, headers: Record<string, string> = {}, localAddress = "127.0.0.1") {
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        `${server.url}${path}`,
        { method: "POST", localAddress, headers: { "content-type": "application/json", ...headers } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  }

  const ECHO = "/itinera.echo.v1.EchoService/Echo";

  tests("the socket's address reaches the Context; X-Forwarded-For is ignored unless the proxy is trusted", async () => {
    await post(plain, ECHO, { message: "x" }, { "x-forwarded-for": "203.0.113.9" }, "127.0.0.2");
    assert.is(seen.at(-1)?.ctx.clientAddress, "127.0.0.2");
    await post(plain, ECHO, { message: "x" }, {}, "127.0.0.3");
    assert.is(seen.at(-1)?.ctx.clientAddress, "127.0.0.3");
  });

  tests("over HTTP/2 (gRPC) the address reaches the Context too", async () => {
    const echo = clientOf(EchoService, grpcTransport(plain.url));
    await servedBy(plain, unaryFastPath, () => echo.echo(backgroundContext({ log: silentLog }), { message: "h2" }));
    assert.is(seen.at(-1)?.ctx.clientAddress, "127.0.0.1");
  });

  tests("with trustProxy the last X-Forwarded-For entry is the caller; without the header, the socket", async () => {
    await post(proxied, ECHO, { message: "x" }, { "x-forwarded-for": "198.51.100.7, 203.0.113.9" }, "127.0.0.2");
    assert.is(seen.at(-1)?.ctx.clientAddress, "203.0.113.9");
    await post(proxied, ECHO, { message: "x" }, {}, "127.0.0.4");
    assert.is(seen.at(-1)?.ctx.clientAddress, "127.0.0.4");
  });

  tests("authenticateCall sees cookies and the method, sets the principal and several Set-Cookie lines", async () => {
    const res = await post(plain, ECHO, { message: "hi" }, { cookie: "who=ada; other=x" });
    assert.is(res.status, 200);
    assert.equal(JSON.parse(res.body), { message: "hi" });
    assert.equal(calls.at(-1), { method: "Echo", cookie: "who=ada; other=x" });
    assert.is(seen.at(-1)?.ctx.principal?.id, "ada");
    assert.equal(res.headers["set-cookie"], ["a=1; Path=/; HttpOnly", "b=2; Path=/; SameSite=Strict"]);
  });

  tests("authenticateCall refusing: the kit error's code and message, its headers still sent; streams too", async () => {
    const before = seen.length;
    const res = await post(plain, ECHO, { message: "hi" }, { cookie: "refuse=1" });
    assert.is(res.status, 403);
    assert.equal(JSON.parse(res.body), { code: "permission_denied", message: "refused by the cookie" });
    const stream = await fetch(`${plain.url}/itinera.echo.v1.EchoService/Countdown`, {
      method: "POST",
      headers: { "content-type": "application/connect+json", cookie: "refuse=1" },
      body: envelope({ count: 2 }),
    });
    const text = new TextDecoder().decode(new Uint8Array(await stream.arrayBuffer()));
    assert.match(text, /permission_denied/);
    assert.is(calls.at(-1)?.method, "Countdown");
    assert.is(seen.length, before, "the handler never ran");
  });

  tests("over gRPC: X-Forwarded-For with trustProxy, cookies, the principal, several Set-Cookie lines, and a refusal", async () => {
    const session = http2.connect(proxied.url);
    try {
      const body = frame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "grpc" })));
      const call = (headers: Record<string, string>) => servedBy(proxied, unaryFastPath, () => rawGrpc(session, ECHO, body, headers));
      const ok = await call({ cookie: "who=grace", "x-forwarded-for": "198.51.100.7, 203.0.113.9" });
      assert.is(ok.status, "0");
      assert.equal(calls.at(-1), { method: "Echo", cookie: "who=grace" });
      assert.is(seen.at(-1)?.ctx.principal?.id, "grace");
      assert.is(seen.at(-1)?.ctx.clientAddress, "203.0.113.9");
      assert.equal(ok.headers["set-cookie"], ["a=1; Path=/; HttpOnly", "b=2; Path=/; SameSite=Strict"]);
      const before = seen.length;
      const refused = await call({ cookie: "refuse=1" });
      assert.equal([refused.status, refused.message], ["7", "refused by the cookie"]);
      assert.is(seen.length, before, "the handler never ran");
    } finally {
      session.close();
    }
  });

  /** One Connect streaming envelope: flags 0, big-endian length, JSON. */
  function envelope(message: unknown): Uint8Array<ArrayBuffer> {
    const json = new TextEncoder().encode(JSON.stringify(message));
    const out = new Uint8Array(new ArrayBuffer(5 + json.length));
    new DataView(out.buffer).setUint32(1, json.length);
    out.set(json, 5);
    return out;
  }

  tests.run();
}
