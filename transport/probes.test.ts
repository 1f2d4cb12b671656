// /healthz, /readyz and /metrics on the RPC port, over HTTP/1.1 and HTTP/2.
// Over both serving paths (echo.fixture.ts SERVING_PATHS).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as http2 from "node:http2";
import { Counter, Registry } from "prom-client";
import { SERVING_PATHS, startEchoServer } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  let server: RunningServer;
  let ready: boolean | string = true;
  let checks = 0;
  const registry = new Registry();
  const calls = new Counter({ name: "itinera_test_calls_total", help: "calls in the probe test", registers: [registry] });

  tests.before(async () => {
    server = await startEchoServer({
      unaryFastPath,
      metrics: registry,
      ready: async () => {
        checks++;
        if (ready === "throw") throw new Error("pool exhausted");
        if (ready === "hang") return new Promise<boolean>(() => {});
        return ready;
      },
    });
  });
  tests.after(async () => {
    await server.close(5_000);
  });

  async function get(path: string) {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
  }

  tests("/healthz answers 200 while the process is up, whatever readiness says", async () => {
    ready = false;
    const res = await get("/healthz");
    assert.is(res.status, 200);
    assert.is(res.body, "ok\n");
    ready = true;
  });

  tests("/readyz follows the readiness check, with its reason", async () => {
    ready = true;
    const before = checks;
    assert.equal(await get("/readyz"), { status: 200, body: "ready\n", type: "text/plain; charset=utf-8" });
    assert.ok(checks > before, "the check ran for the request");
    ready = "database unreachable";
    assert.equal((await get("/readyz")).status, 503);
    assert.is((await get("/readyz")).body, "database unreachable\n");
    ready = false;
    assert.equal(await get("/readyz?verbose=1"), { status: 503, body: "not ready\n", type: "text/plain; charset=utf-8" });
    ready = "throw";
    const thrown = await get("/readyz");
    assert.is(thrown.status, 503);
    assert.match(thrown.body, "pool exhausted");
    ready = true;
    assert.is((await get("/readyz")).status, 200);
  });

  tests("/readyz is 503 when the check hangs longer than its timeout", async () => {
    ready = "hang";
    const res = await get("/readyz");
    assert.is(res.status, 503);
    assert.match(res.body, "took longer than");
    ready = true;
  });

  tests("/metrics serves the registry in Prometheus text format", async () => {
    calls.inc(3);
    const res = await get("/metrics");
    assert.is(res.status, 200);
    assert.match(res.type ?? "", "text/plain");
    assert.match(res.body, /^itinera_test_calls_total 3$/m);
  });

  tests("the probes answer over HTTP/2 cleartext too", async () => {
    const session = http2.connect(server.url);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ":path": "/readyz" });
        req.on("response", (headers) => resolve(Number(headers[":status"])));
        req.on("error", reject);
        req.resume();
      });
      assert.is(status, 200);
    } finally {
      session.close();
    }
  });

  tests("a draining server is not ready", async () => {
    const other = await startEchoServer({ unaryFastPath });
    const closing = other.close(5_000);
    assert.equal(await other.readiness.status(), { ready: false, reason: "shutting down" });
    await closing;
  });

  tests.run();
}
