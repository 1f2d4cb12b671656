import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive } from "../context.js";
import { Code, KitError } from "../errors.js";
import type { Endpoint } from "../endpoint.js";
import { bulkhead } from "./bulkhead.js";
import {
  countdownServer as countdown,
  deferred,
  echoServer as echo,
  kitRejection,
  silentContext,
  slowServer as slow,
  type Deferred,
} from "../testing.js";

const ctx = silentContext();

/** An endpoint whose calls wait until the test settles them, in order. */
function gated() {
  const pending: Deferred<unknown>[] = [];
  let calls = 0;
  const endpoint: Endpoint = () => {
    calls++;
    const call = deferred<unknown>();
    pending.push(call);
    return call.promise;
  };
  return { endpoint, pending, calls: () => calls };
}

/** Resolves on the next macrotask: enough for settled promises' handlers to run. */
const tick = () => new Promise((r) => setImmediate(r));

test("N concurrent calls pass, the N+1th is refused at once, a settled call frees its slot", async () => {
  const mw = bulkhead({ maxConcurrent: 2, retryAfterMs: 50 });
  const g = gated();
  const ep = mw(g.endpoint, echo);
  const first = ep(ctx, "a");
  const second = ep(ctx, "b");
  const err = await kitRejection(ep(ctx, "c")); // resolves without any call settling
  assert.is(err.code, Code.ResourceExhausted);
  assert.is(err.message, `too many concurrent calls to ${echo.procedure}`);
  assert.is(err.retryAfterMs, 50);
  assert.is(g.calls(), 2);
  assert.equal(mw.inFlight(), { [echo.procedure]: 2 });

  g.pending[0]!.resolve("A");
  assert.is(await first, "A");
  const third = ep(ctx, "d");
  assert.is(g.calls(), 3);
  g.pending[1]!.reject(new KitError(Code.NotFound, "gone")); // a failure frees its slot too
  assert.is((await kitRejection(second)).code, Code.NotFound);
  g.pending[2]!.resolve("D");
  assert.is(await third, "D");
  assert.equal(mw.inFlight(), { [echo.procedure]: 0 });
});

test("limits are per method unless shared", async () => {
  const perMethod = bulkhead({ maxConcurrent: 1 });
  const g = gated();
  const a = perMethod(g.endpoint, echo);
  const b = perMethod(g.endpoint, slow);
  const calls = [a(ctx, 1), b(ctx, 2)];
  assert.is(g.calls(), 2);
  g.pending.forEach((p) => p.resolve("ok"));
  await Promise.all(calls);

  const sharedMw = bulkhead({ maxConcurrent: 1, shared: true });
  const h = gated();
  const c = sharedMw(h.endpoint, echo);
  const d = sharedMw(h.endpoint, slow);
  const running = c(ctx, 1);
  assert.is((await kitRejection(d(ctx, 2))).message, `too many concurrent calls to ${slow.procedure}`);
  h.pending[0]!.resolve("ok");
  await running;
  h.pending.length = 0;
  const now = d(ctx, 3);
  assert.is(h.calls(), 2);
  h.pending[0]!.resolve("ok");
  await now;
});

async function* numbers(n: number) {
  for (let i = 1; i <= n; i++) yield i;
}

test("a stream holds its slot until it ends, is abandoned or fails", async () => {
  const mw = bulkhead({ maxConcurrent: 1 });
  const ep = mw(async () => numbers(3), countdown);

  const stream = (await ep(ctx, {})) as AsyncIterable<number>;
  assert.is((await kitRejection(ep(ctx, {}))).code, Code.ResourceExhausted, "held while open");
  const got: number[] = [];
  for await (const n of stream) got.push(n);
  assert.equal(got, [1, 2, 3]);
  assert.equal(mw.inFlight(), { [countdown.procedure]: 0 });

  const abandoned = (await ep(ctx, {})) as AsyncIterable<number>;
  for await (const _ of abandoned) break; // the consumer stops early
  assert.equal(mw.inFlight(), { [countdown.procedure]: 0 });

  const failing = mw(async () => {
    throw new KitError(Code.Unavailable, "no stream");
  }, countdown);
  await kitRejection(failing(ctx, {}));
  assert.equal(mw.inFlight(), { [countdown.procedure]: 0 });
});

test("a canceled call frees the slot of a stream nobody reads", async () => {
  const mw = bulkhead({ maxConcurrent: 1 });
  const ep = mw(async () => numbers(3), countdown);
  const controller = new AbortController();
  await ep(derive(ctx, { signal: controller.signal }), {}); // never iterated
  assert.equal(mw.inFlight(), { [countdown.procedure]: 1 });
  controller.abort();
  await tick();
  assert.equal(mw.inFlight(), { [countdown.procedure]: 0 });
  const again = (await ep(ctx, {})) as AsyncIterable<number>;
  for await (const _ of again);
  assert.equal(mw.inFlight(), { [countdown.procedure]: 0 });
});

test("rejects a nonsensical limit at construction", () => {
  assert.throws(() => bulkhead({ maxConcurrent: 0 }), /maxConcurrent/);
});

test.run();
