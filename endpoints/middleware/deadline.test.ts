import { test } from "uvu";
import * as assert from "uvu/assert";
import { deadline } from "./deadline.js";
import { derive, type Context } from "../context.js";
import type { Endpoint } from "../endpoint.js";
import { Code, KitError } from "../errors.js";
import { countdownServer, deferred, echoClient, echoServer, kitRejection, silentContext, slowServer } from "../testing.js";

const root = silentContext();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

/** A handler that never answers on its own and ignores its signal; `release` lets it finish. */
function stuckHandler() {
  const gate = deferred();
  const seen: { ctx?: Context; finished: boolean } = { finished: false };
  const called = deferred();
  const endpoint: Endpoint = async (ctx) => {
    seen.ctx = ctx;
    called.resolve();
    await gate.promise;
    seen.finished = true;
    return {};
  };
  return { endpoint, seen, called: called.promise, release: () => gate.resolve() };
}

test("a handler slower than the deadline: the call fails DeadlineExceeded at once and the handler's signal fires", async () => {
  const { endpoint, seen, release } = stuckHandler();
  const ctx = derive(root, { deadline: Date.now() + 100 });
  const e = await kitRejection(deadline()(endpoint, echoServer)(ctx, {}));
  assert.is(e.code, Code.DeadlineExceeded);
  assert.not.ok(seen.finished, "the answer did not wait for the handler");
  assert.ok(seen.ctx!.signal.aborted);
  assert.is((seen.ctx!.signal.reason as KitError).code, Code.DeadlineExceeded);
  assert.not.ok(root.signal.aborted, "the caller's own signal is untouched");
  release();
});

test("a fast handler answers; its deadline is the caller's; the timer is cleared", async () => {
  const callerDeadline = Date.now() + 60_000;
  let seen: Context | undefined;
  const ep = deadline({ defaultTimeoutMs: 120_000 })(async (c, req) => ((seen = c), req), echoServer);
  const before = timers();
  assert.is(await ep(derive(root, { deadline: callerDeadline }), "hi"), "hi");
  assert.is(seen!.deadline, callerDeadline);
  assert.not.ok(seen!.signal.aborted);
  assert.is(timers(), before);
});

test("the Slow method's 200 ms option applies when the caller sent no deadline, even over a longer default", async () => {
  const start = Date.now();
  const { endpoint, seen, release } = stuckHandler();
  const e = await kitRejection(deadline({ defaultTimeoutMs: 60_000 })(endpoint, slowServer)(root, {}));
  assert.is(e.code, Code.DeadlineExceeded);
  const d = seen.ctx!.deadline!;
  // Node's timers may fire a millisecond before Date.now() reaches their due time.
  assert.ok(d >= start + 200 && d <= Date.now() + 5, `deadline ${d - start} ms after the call`);
  assert.not.ok(seen.finished);
  release();
});

test("the caller's earlier deadline wins over the method's option; a default applies to methods without one", async () => {
  let seen: Context | undefined;
  const record: Endpoint = async (c) => ((seen = c), {});
  const early = Date.now() + 50;
  await deadline()(record, slowServer)(derive(root, { deadline: early }), {});
  assert.is(seen!.deadline, early);

  const start = Date.now();
  await deadline({ defaultTimeoutMs: 30_000 })(record, echoServer)(root, {});
  assert.ok(seen!.deadline! >= start + 30_000 && seen!.deadline! <= Date.now() + 30_000);

  await deadline()(record, echoServer)(root, {});
  assert.is(seen!.deadline, undefined, "no deadline at all: none is invented");
  assert.is(seen, root, "and the context is passed as it is");
});

test("a nested client call gets at most what the server call has left", async () => {
  let downstream: Context | undefined;
  const transport: Endpoint = async (c) => ((downstream = c), {});
  const generous = deadline({ defaultTimeoutMs: 60_000 })(transport, echoClient);
  const tight = deadline({ defaultTimeoutMs: 50 })(transport, echoClient);
  let serverDeadline: number | undefined;
  const handler: Endpoint = async (c) => {
    serverDeadline = c.deadline;
    await sleep(20);
    await generous(c, {});
    const generousDeadline = downstream!.deadline;
    const before = Date.now();
    await tight(c, {});
    return { generousDeadline, tightDeadline: downstream!.deadline, before };
  };
  // 30 s: a loaded machine cannot spend it between here and the tight client call, which must still shorten it.
  const callerDeadline = Date.now() + 30_000;
  const out = (await deadline()(handler, echoServer)(derive(root, { deadline: callerDeadline }), {})) as {
    generousDeadline: number;
    tightDeadline: number;
    before: number;
  };
  assert.is(serverDeadline, callerDeadline);
  assert.is(out.generousDeadline, callerDeadline, "a 60 s client cap does not extend the 30 s the caller has left");
  assert.ok(out.tightDeadline < callerDeadline, "a tighter client cap shortens it");
  assert.ok(out.tightDeadline >= out.before + 50 && out.tightDeadline <= Date.now() + 50);
});

test("the client side also fails the call at the deadline when the downstream hangs", async () => {
  const { endpoint, seen, release } = stuckHandler();
  const e = await kitRejection(deadline({ defaultTimeoutMs: 50 })(endpoint, echoClient)(root, {}));
  assert.is(e.code, Code.DeadlineExceeded);
  assert.ok(seen.ctx!.signal.aborted, "the transport's signal fires so that the request is abandoned");
  release();
});

test("an expired deadline never calls next, on either side", async () => {
  let called = 0;
  const counting: Endpoint = async () => (called++, {});
  const past = derive(root, { deadline: Date.now() - 1 });
  assert.is((await kitRejection(deadline()(counting, echoServer)(past, {}))).code, Code.DeadlineExceeded);
  assert.is((await kitRejection(deadline({ defaultTimeoutMs: 1000 })(counting, echoClient)(past, {}))).code, Code.DeadlineExceeded);
  assert.is((await kitRejection(deadline()(counting, countdownServer)(past, {}))).code, Code.DeadlineExceeded);
  assert.is(called, 0);
});

test("the caller's cancellation reaches the handler's signal", async () => {
  const controller = new AbortController();
  const { endpoint, seen, called, release } = stuckHandler();
  const call = deadline()(endpoint, echoServer)(derive(root, { signal: controller.signal, deadline: Date.now() + 60_000 }), {});
  await called; // the handler is running: the cancellation must reach it there
  controller.abort();
  assert.ok(seen.ctx!.signal.aborted);
  release();
  await call;
});

test("the deadline covers a whole stream, not just its start", async () => {
  async function* twoThenHang() {
    yield 2;
    yield 1;
    await new Promise(() => {}); // never ends, ignores its signal
  }
  const ep = deadline()(async () => twoThenHang(), countdownServer);
  // 1 s, not less: the two messages must come before it even when a loaded machine stalls this process a while.
  const stream = (await ep(derive(root, { deadline: Date.now() + 1_000 }), {})) as AsyncIterable<number>;
  const got: number[] = [];
  const e = await kitRejection(
    (async () => {
      for await (const n of stream) got.push(n);
    })(),
  );
  assert.is(e.code, Code.DeadlineExceeded);
  assert.equal(got, [2, 1], "messages before the deadline arrive");

  // A stream that ends in time ends normally and leaves no timer.
  async function* three() {
    yield* [3, 2, 1];
  }
  const before = timers();
  const quick = (await deadline()(async () => three(), countdownServer)(derive(root, { deadline: Date.now() + 60_000 }), {})) as AsyncIterable<number>;
  const all: number[] = [];
  for await (const n of quick) all.push(n);
  assert.equal(all, [3, 2, 1]);
  assert.is(timers(), before);
});

test("a consumer that leaves a stream early closes it and clears the timer", async () => {
  let closed = false;
  async function* endless() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      closed = true;
    }
  }
  const before = timers();
  const stream = (await deadline()(async () => endless(), countdownServer)(derive(root, { deadline: Date.now() + 60_000 }), {})) as AsyncIterable<number>;
  for await (const n of stream) if (n === 3) break;
  // Leaving the loop awaits the stream's return(), which closes the source before it resolves.
  assert.ok(closed, "the source stream was closed");
  assert.is(timers(), before);
});

test.run();
