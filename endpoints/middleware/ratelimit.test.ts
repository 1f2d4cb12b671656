import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive, type Context } from "../context.js";
import { Code } from "../errors.js";
import { ratelimit, TokenBuckets } from "./ratelimit.js";
import { countdownServer as countdown, countingEndpoint, echoServer as echo, kitRejection, silentContext } from "../testing.js";

const base = silentContext();
const as = (id: string): Context => derive(base, { principal: { kind: "customer", id, roles: [] } });
const byPrincipal = (ctx: Context) => ctx.principal?.id ?? "anonymous";

test("a burst is allowed, then refused with the time until the next token", async () => {
  let clock = 0;
  const { endpoint, state } = countingEndpoint();
  const ep = ratelimit({ ratePerSecond: 2, burst: 3, key: byPrincipal, now: () => clock })(endpoint, echo);
  for (let i = 0; i < 3; i++) assert.is(await ep(as("alice"), {}), "ok");
  const err = await kitRejection(ep(as("alice"), {}));
  assert.is(err.code, Code.ResourceExhausted);
  assert.is(err.retryAfterMs, 500); // 2 per second: one token every 500 ms
  assert.match(err.message, `rate limit exceeded for ${echo.procedure}`);
  assert.is(state.calls, 3);

  clock = 200;
  assert.is((await kitRejection(ep(as("alice"), {}))).retryAfterMs, 300, "part of a token has come back");
});

test("refills at the rate, never beyond the burst", async () => {
  let clock = 0;
  const { endpoint, state } = countingEndpoint();
  const ep = ratelimit({ ratePerSecond: 10, burst: 2, key: byPrincipal, now: () => clock })(endpoint, echo);
  await ep(as("a"), {});
  await ep(as("a"), {});
  await kitRejection(ep(as("a"), {}));
  clock += 100; // one token back
  assert.is(await ep(as("a"), {}), "ok");
  await kitRejection(ep(as("a"), {}));
  clock += 60_000; // a long quiet spell refills only up to the burst
  await ep(as("a"), {});
  await ep(as("a"), {});
  assert.is((await kitRejection(ep(as("a"), {}))).retryAfterMs, 100);
  assert.is(state.calls, 5);
});

test("keys are independent", async () => {
  const ep = ratelimit({ ratePerSecond: 1, burst: 1, key: byPrincipal, now: () => 0 })(countingEndpoint().endpoint, echo);
  await ep(as("alice"), {});
  await kitRejection(ep(as("alice"), {}));
  assert.is(await ep(as("bob"), {}), "ok");
  assert.is(await ep(base, {}), "ok"); // anonymous has its own bucket
});

test("a key per method: buckets are shared across the methods one middleware wraps only when the key says so", async () => {
  const mw = ratelimit({ ratePerSecond: 1, burst: 1, key: (_c, info) => info.procedure, now: () => 0 });
  const e = mw(countingEndpoint().endpoint, echo);
  const c = mw(async () => (async function* () {})(), countdown);
  await e(base, {});
  await kitRejection(e(base, {}));
  await c(base, {}); // a stream takes its token when opened
  await kitRejection(c(base, {}));
});

test("the number of buckets stays within maxKeys, least recently used evicted", async () => {
  const clock = 0;
  const mw = ratelimit({ ratePerSecond: 1, burst: 1, key: byPrincipal, now: () => clock, maxKeys: 3 });
  const ep = mw(countingEndpoint().endpoint, echo);
  await ep(as("a"), {});
  await ep(as("b"), {});
  await ep(as("c"), {});
  await kitRejection(ep(as("a"), {})); // touches a: b is now the least recently used
  for (let i = 0; i < 100; i++) await ep(as(`user-${i}`), {}).catch(() => {});
  assert.is(mw.size(), 3);

  const buckets = new TokenBuckets(1, 1, 2, () => clock);
  buckets.take("x");
  buckets.take("y");
  buckets.take("x"); // refused, but x is now the most recent
  buckets.take("z"); // evicts y
  assert.is(buckets.size, 2);
  assert.ok(buckets.take("x") > 0, "x kept its empty bucket");
  assert.is(buckets.take("y"), 0, "y was forgotten: a fresh, full bucket");
});

test("rejects nonsensical settings at construction", () => {
  assert.throws(() => ratelimit({ ratePerSecond: 0, burst: 1, key: () => "k" }), /ratePerSecond/);
  assert.throws(() => ratelimit({ ratePerSecond: 1, burst: 0, key: () => "k" }), /burst/);
});

test.run();
