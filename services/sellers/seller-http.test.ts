// How adapters call sellers, against a fake seller that counts: our throttle
// never sends faster than configured; a 429 with Retry-After pauses every
// call; failures come out as kit errors; the breaker opens after repeated
// failures (then sends nothing) and closes once the seller is back.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { kitRejection, silentContext } from "../../endpoints/testing.js";
import { until } from "../../platform/processes.testing.js";
import { pino } from "pino";
import { startFakeSeller, type FakeSeller } from "./test/fake-seller.js";
import { retryAfterMs, SellerHttp, type SellerHttpOptions } from "./seller-http.js";

const log = pino({ level: "silent" });
const withDeadline = (ms: number) => backgroundContext({ log, deadline: Date.now() + ms });

async function withSeller(
  opts: Partial<SellerHttpOptions>,
  work: (fake: FakeSeller, http: SellerHttp) => Promise<void>,
) {
  const fake = await startFakeSeller({ "/price": () => ({ body: { ok: true } }), "/list": () => ({ body: "<list/>" }) });
  const http = new SellerHttp({ sellerId: "fake", baseUrl: fake.url, throttle: { ratePerSecond: 1000, burst: 100 }, ...opts });
  try {
    await work(fake, http);
  } finally {
    http.close();
    await fake.close();
  }
}

test("JSON and text answers; errors become kit errors by HTTP status", () =>
  withSeller({}, async (fake, http) => {
    assert.equal(await http.getJson(silentContext(), "/price", { query: { a: 1, b: "x y" } }), { ok: true });
    assert.is(fake.requests[0]!.query.get("b"), "x y");
    assert.is(await http.getText(silentContext(), "/list"), "<list/>");
    assert.is((await kitRejection(http.getText(silentContext(), "/nowhere"))).code, Code.NotFound);
    fake.routes["/bad"] = () => ({ status: 400, body: { error: "no" } });
    assert.is((await kitRejection(http.getText(silentContext(), "/bad"))).code, Code.FailedPrecondition);
    fake.routes["/garbled"] = () => ({ body: "{" });
    assert.match((await kitRejection(http.getJson(silentContext(), "/garbled"))).message, /malformed JSON/);
    fake.mode = { kind: "fail" };
    assert.is((await kitRejection(http.getText(silentContext(), "/price"))).code, Code.Unavailable);
    fake.mode = { kind: "down" };
    const down = await kitRejection(http.getText(silentContext(), "/price"));
    assert.is(down.code, Code.Unavailable);
    assert.match(down.message, /could not be reached/);
  }));

test("a GET whose connection the seller closed before answering is sent once more; a POST is not", async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests % 2 === 1) return void req.socket.destroy(); // an idle connection closed as the request arrived
    res.writeHead(200, { "content-type": "text/plain" }).end("page");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const http = new SellerHttp({ sellerId: "fake", baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, throttle: { ratePerSecond: 1000, burst: 100 } });
  try {
    assert.is(await http.getText(silentContext(), "/page"), "page");
    assert.is(requests, 2);
    const refused = await kitRejection(http.post(silentContext(), "/book", "{}", "application/json"));
    assert.equal([refused.code, requests], [Code.Unavailable, 3], "a booking is never sent twice by us");
  } finally {
    http.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("a slow seller is cut at the request cap or the caller's deadline, whichever comes first", () =>
  withSeller({ timeoutMs: 150 }, async (fake, http) => {
    fake.mode = { kind: "slow", delayMs: 2000 };
    const capped = await kitRejection(http.getText(silentContext(), "/price"));
    assert.is(capped.code, Code.DeadlineExceeded);
    assert.match(capped.message, /did not answer \/price within 150 ms/);
    const byDeadline = await kitRejection(http.getText(withDeadline(60), "/price", { timeoutMs: 5000 }));
    assert.is(byDeadline.code, Code.DeadlineExceeded);
    const expired = await kitRejection(http.getText(withDeadline(-1), "/price"));
    assert.is(expired.code, Code.DeadlineExceeded);
  }));

test("throttled calls never go faster than our bucket allows", () =>
  withSeller({ throttle: { ratePerSecond: 20, burst: 5, maxWaitMs: 10_000 } }, async (fake, http) => {
    const n = 15;
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, () => http.getJson(silentContext(), "/price", { throttled: true })));
    const elapsed = performance.now() - started;
    // 5 at once, then one every 50 ms: the last ten need at least 500 ms (less a timer's slack).
    assert.ok(elapsed >= (n - 5) * 50 - 20, `15 calls at 20/s with burst 5 took only ${elapsed.toFixed(0)} ms`);
    // As the seller saw them: never more than burst + rate × time since the calls began (+1 for rounding).
    // Measured from our start, not the first arrival: a late first arrival under load is no excess.
    const arrivals = fake.requests.map((r) => r.at).sort((a, b) => a - b);
    arrivals.forEach((at, i) => {
      const allowed = 5 + (20 * (at - started)) / 1000 + 1;
      assert.ok(i + 1 <= allowed, `request ${i + 1} arrived ${(at - started).toFixed(0)} ms after the calls began: over the rate`);
    });
  }));

test("listing calls take no token: with the bucket empty they are still sent", () =>
  withSeller({ throttle: { ratePerSecond: 0.001, burst: 1 } }, async (fake, http) => {
    await http.getJson(silentContext(), "/price", { throttled: true });
    // The bucket is empty for the next 1,000 s: a throttled call is refused at once.
    assert.is((await kitRejection(http.getJson(withDeadline(10_000), "/price", { throttled: true }))).code, Code.ResourceExhausted);
    await Promise.all(Array.from({ length: 20 }, () => http.getText(withDeadline(10_000), "/list")));
    assert.is(fake.count("/list"), 20);
    assert.is(fake.count("/price"), 1);
  }));

test("a call that cannot get a token within its deadline fails fast with ResourceExhausted, unsent", () =>
  withSeller({ throttle: { ratePerSecond: 1, burst: 1 } }, async (fake, http) => {
    await http.getJson(silentContext(), "/price", { throttled: true });
    const refused = await kitRejection(http.getJson(withDeadline(200), "/price", { throttled: true }));
    assert.is(refused.code, Code.ResourceExhausted);
    assert.ok(refused.retryAfterMs! > 200);
    assert.is(fake.count("/price"), 1);
  }));

test("429 with Retry-After pauses every call; a call whose deadline allows waits and retries", () =>
  withSeller({}, async (fake, http) => {
    fake.mode = { kind: "throttle", retryAfterSeconds: 1 };
    const refused = await kitRejection(http.getJson(withDeadline(300), "/price", { throttled: true }));
    assert.is(refused.code, Code.ResourceExhausted);
    assert.is(fake.count("/price"), 1, "nothing is sent again before Retry-After");
    // Paused: even an unthrottled call to another path is not sent while the seller asked us to wait.
    assert.is((await kitRejection(http.getText(withDeadline(300), "/list"))).code, Code.ResourceExhausted);
    assert.is(fake.count("/list"), 0);
    // With time to wait, the call waits out the pause and succeeds once the seller lets it.
    fake.mode = { kind: "normal" };
    const started = performance.now();
    assert.equal(await http.getJson(withDeadline(5000), "/price", { throttled: true }), { ok: true });
    assert.ok(performance.now() - started >= 500, "it waited for the pause to end");
    assert.is(fake.count("/price"), 2);
  }));

test("Retry-After in seconds or as a date", () => {
  assert.is(retryAfterMs("2"), 2000);
  assert.is(retryAfterMs("0.5"), 500);
  assert.is(retryAfterMs(null), 1000);
  assert.is(retryAfterMs("soon"), 1000);
  const now = Date.parse("2026-12-01T10:00:00Z");
  assert.is(retryAfterMs("Tue, 01 Dec 2026 10:00:03 GMT", now), 3000);
});

test("the breaker opens after repeated failures, sends nothing while open, and closes when the seller is back", () =>
  withSeller({ breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 300 } }, async (fake, http) => {
    fake.mode = { kind: "fail" };
    for (let i = 0; i < 3; i++) assert.is((await kitRejection(http.getText(silentContext(), "/price"))).code, Code.Unavailable);
    assert.is(http.breakerState(), "open");
    const sent = fake.requests.length;
    const refused = await kitRejection(http.getText(silentContext(), "/price"));
    assert.is(refused.code, Code.Unavailable);
    assert.match(refused.message, /circuit breaker is open/);
    assert.is(fake.requests.length, sent, "an open breaker sends nothing");
    // A 404 is an answer from a healthy seller: it would never open the breaker.
    fake.mode = { kind: "normal" };
    // After its reset timeout the breaker lets one probe through: wait for that state change, not for a time.
    await until("the breaker half-open", () => (http.breakerState() === "half-open" ? true : undefined));
    assert.equal(await http.getJson(silentContext(), "/price"), { ok: true });
    assert.is(http.breakerState(), "closed");
    for (let i = 0; i < 6; i++) await kitRejection(http.getText(silentContext(), "/nowhere"));
    assert.is(http.breakerState(), "closed", "NotFound does not count against the breaker");
  }));

test.run();
