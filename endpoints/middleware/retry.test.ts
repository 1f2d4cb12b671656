import { setTimeout as sleepFor } from "node:timers/promises";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive, type Context } from "../context.js";
import { Code, invalidArgument, KitError, resourceExhausted, unavailable } from "../errors.js";
import { methodInfo, type Endpoint } from "../endpoint.js";
import { backoffMs, retry, type RetryOptions } from "./retry.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";
import { deferred, echoClient as echo, rejection as anyRejection, silentContext } from "../testing.js";

const ctx = silentContext();

/** An endpoint that fails with the given errors in turn, then answers "ok". */
function scripted(...errors: KitError[]) {
  const state = { calls: 0 };
  const endpoint: Endpoint = async () => {
    const err = errors[state.calls++];
    if (err) throw err;
    return "ok";
  };
  return { endpoint, state };
}

/** Records the sleeps instead of waiting. */
function fakeSleep() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

/** The error p rejects with, taken to be a KitError (as this file's did; unchecked). */
const rejection = async (p: Promise<unknown>) => (await anyRejection(p)) as KitError;

test("Unavailable twice then OK: three calls and success", async () => {
  const { endpoint, state } = scripted(unavailable("down"), unavailable("down"));
  const { slept, sleep } = fakeSleep();
  const ep = retry({ sleep, random: () => 0.5 })(endpoint, echo);
  assert.is(await ep(ctx, {}), "ok");
  assert.is(state.calls, 3);
  assert.equal(slept, [25, 50]); // 0.5 * 50, 0.5 * 100
});

test("gives up after maxAttempts with the last error", async () => {
  const { endpoint, state } = scripted(unavailable("1"), unavailable("2"), unavailable("3"), unavailable("4"));
  const ep = retry({ sleep: fakeSleep().sleep })(endpoint, echo);
  const err = await rejection(ep(ctx, {}));
  assert.is(err.message, "3");
  assert.is(state.calls, 3);
});

test("InvalidArgument is not retried", async () => {
  const { endpoint, state } = scripted(invalidArgument("bad"));
  const ep = retry({ sleep: fakeSleep().sleep })(endpoint, echo);
  assert.is((await rejection(ep(ctx, {}))).code, Code.InvalidArgument);
  assert.is(state.calls, 1);
});

test("a method with side effects is never retried: next is returned unchanged", async () => {
  const { endpoint, state } = scripted(unavailable("down"));
  const increment = methodInfo(EchoService.method.increment, "client");
  const ep = retry({ sleep: fakeSleep().sleep })(endpoint, increment);
  assert.is(ep, endpoint);
  assert.is((await rejection(ep(ctx, {}))).code, Code.Unavailable);
  assert.is(state.calls, 1);
});

test("streams are never retried", () => {
  const { endpoint } = scripted();
  assert.is(retry()(endpoint, methodInfo(EchoService.method.countdown, "client")), endpoint);
});

test("delays stay within the full-jitter bounds and the ceiling stops at maxDelayMs", () => {
  const opts = { baseDelayMs: 50, maxDelayMs: 300 };
  for (let attempt = 0; attempt < 8; attempt++) {
    const ceiling = Math.min(300, 50 * 2 ** attempt);
    assert.is(backoffMs(attempt, { ...opts, random: () => 0 }), 0);
    assert.is(backoffMs(attempt, { ...opts, random: () => 0.999999 }), 0.999999 * ceiling);
  }
  assert.is(backoffMs(5, { ...opts, random: () => 0.5 }), 150);
});

test("random jitter: every recorded delay is within [0, ceiling)", async () => {
  const errors = Array.from({ length: 6 }, () => unavailable("down"));
  const { endpoint } = scripted(...errors);
  const { slept, sleep } = fakeSleep();
  const opts: RetryOptions = { maxAttempts: 7, baseDelayMs: 10, maxDelayMs: 100, sleep };
  assert.is(await retry(opts)(endpoint, echo)(ctx, {}), "ok");
  assert.is(slept.length, 6);
  slept.forEach((ms, i) => assert.ok(ms >= 0 && ms < Math.min(100, 10 * 2 ** i), `delay ${i}: ${ms}`));
});

test("a server's retry-after is honoured when longer than the backoff", async () => {
  const { endpoint, state } = scripted(resourceExhausted("slow down", 700));
  const { slept, sleep } = fakeSleep();
  assert.is(await retry({ sleep, random: () => 0.5 })(endpoint, echo)(ctx, {}), "ok");
  assert.equal(slept, [700]);
  assert.is(state.calls, 2);
});

test("never sleeps past the deadline: gives up with the last error", async () => {
  let clock = 1_000;
  const { endpoint, state } = scripted(unavailable("1"), unavailable("2"), unavailable("3"));
  const sleep = async (ms: number) => void (clock += ms);
  const withDeadline = derive(ctx, { deadline: 1_000 + 120 });
  // delays 0.9*50 = 45 then 0.9*100 = 90: the second would end at 1135, past 1120
  const ep = retry({ sleep, random: () => 0.9, now: () => clock })(endpoint, echo);
  const err = await rejection(ep(withDeadline, {}));
  assert.is(err.message, "2");
  assert.is(state.calls, 2);
  assert.is(clock, 1_045);
});

test("a long retry-after past the deadline is not waited for", async () => {
  const { endpoint, state } = scripted(resourceExhausted("later", 5_000));
  const { slept, sleep } = fakeSleep();
  const ep = retry({ sleep, now: () => 0 })(endpoint, echo);
  const err = await rejection(ep(derive(ctx, { deadline: 1_000 }), {}));
  assert.is(err.code, Code.ResourceExhausted);
  assert.is(state.calls, 1);
  assert.equal(slept, []);
});

test("stops at once when the caller cancels, even while waiting", async () => {
  const controller = new AbortController();
  const canceled: Context = derive(ctx, { signal: controller.signal });
  const { endpoint, state } = scripted(unavailable("1"), unavailable("2"));
  // A real 60 s sleep, on the signal it is given: cancel once the retry waits in it, the call ends right away.
  const waiting = deferred();
  const realSleep = (ms: number, signal: AbortSignal) => (waiting.resolve(), sleepFor(ms, undefined, { signal }));
  const ep = retry({ baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1, sleep: realSleep })(endpoint, echo);
  const pending = rejection(ep(canceled, {}));
  await waiting.promise;
  controller.abort();
  const started = Date.now();
  const err = await pending;
  assert.is(err.message, "1");
  assert.is(state.calls, 1);
  assert.ok(Date.now() - started < 30_000, "did not wait for the backoff");
  // Already canceled: no retry at all.
  const again = scripted(unavailable("x"));
  await rejection(retry({ sleep: fakeSleep().sleep })(again.endpoint, echo)(canceled, {}));
  assert.is(again.state.calls, 1);
});

test.run();
