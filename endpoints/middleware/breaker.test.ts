import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, internal, invalidArgument, KitError, notFound, unavailable } from "../errors.js";
import { methodInfo } from "../endpoint.js";
import { breaker, countsAsFailure, type BreakerState } from "./breaker.js";
import { countingEndpoint, echoClient as echo, kitRejection, silentContext } from "../testing.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";

const ctx = silentContext();

async function waitFor(what: string, cond: () => boolean, withinMs = 10_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("opens after repeated Unavailable, then fails fast without calling next", async () => {
  const changes: Array<[string, BreakerState]> = [];
  const mw = breaker({ resetTimeoutMs: 60_000, onStateChange: (p, s) => changes.push([p, s]) });
  try {
    const { endpoint, state } = countingEndpoint();
    const ep = mw(endpoint, echo);
    state.fail = unavailable("connection refused");
    for (let i = 0; i < 5; i++) assert.is((await kitRejection(ep(ctx, {}))).message, "connection refused");
    assert.is(state.calls, 5);
    assert.equal(mw.states(), { [echo.procedure]: "open" });
    assert.equal(changes, [[echo.procedure, "open"]]);

    state.fail = undefined; // even a healthy callee is not called while open
    const err = await kitRejection(ep(ctx, {}));
    assert.is(err.code, Code.Unavailable);
    assert.is(err.message, `circuit open for ${echo.procedure}`);
    assert.is(state.calls, 5);
  } finally {
    mw.close();
  }
});

test("stays closed under a stream of InvalidArgument and NotFound, which still reach the caller", async () => {
  const mw = breaker();
  try {
    const { endpoint, state } = countingEndpoint();
    const ep = mw(endpoint, echo);
    for (let i = 0; i < 30; i++) {
      state.fail = i % 2 ? invalidArgument("bad") : notFound("none");
      assert.is((await kitRejection(ep(ctx, {}))).code, i % 2 ? Code.InvalidArgument : Code.NotFound);
    }
    assert.is(state.calls, 30);
    assert.equal(mw.states(), { [echo.procedure]: "closed" });
  } finally {
    mw.close();
  }
});

test("opens only past the volume threshold and the error percentage", async () => {
  const mw = breaker({ volumeThreshold: 5, errorThresholdPercentage: 25 });
  try {
    const { endpoint, state } = countingEndpoint();
    const ep = mw(endpoint, echo);
    state.fail = internal("boom");
    for (let i = 0; i < 4; i++) await kitRejection(ep(ctx, {}));
    assert.is(mw.states()[echo.procedure], "closed", "4 calls are below the volume threshold");
    // On another method, 1 failure in 6 calls: 17% is not above 25%.
    const slow = methodInfo(EchoService.method.slow, "client");
    const other = countingEndpoint();
    const slowEp = mw(other.endpoint, slow);
    other.state.fail = unavailable("blip");
    await kitRejection(slowEp(ctx, {}));
    other.state.fail = undefined;
    for (let i = 0; i < 5; i++) assert.is(await slowEp(ctx, {}), "ok");
    assert.is(mw.states()[slow.procedure], "closed");
    other.state.fail = unavailable("blip");
    await kitRejection(slowEp(ctx, {})); // 2 in 7: 28.6% is above 25%
    assert.is(mw.states()[slow.procedure], "open");
  } finally {
    mw.close();
  }
});

test("half-opens after the reset timeout and closes again when the probe succeeds", async () => {
  const changes: BreakerState[] = [];
  const mw = breaker({ resetTimeoutMs: 100, onStateChange: (_p, s) => changes.push(s) });
  try {
    const { endpoint, state } = countingEndpoint();
    const ep = mw(endpoint, echo);
    state.fail = unavailable("down");
    for (let i = 0; i < 5; i++) await kitRejection(ep(ctx, {}));
    assert.is(mw.states()[echo.procedure], "open");

    await waitFor("half-open", () => mw.states()[echo.procedure] === "half-open");
    state.fail = undefined;
    assert.is(await ep(ctx, {}), "ok");
    assert.is(state.calls, 6);
    assert.is(mw.states()[echo.procedure], "closed");
    assert.equal(changes, ["open", "half-open", "closed"]);
  } finally {
    mw.close();
  }
});

test("a failed probe opens the circuit again", async () => {
  const mw = breaker({ resetTimeoutMs: 100 });
  try {
    const { endpoint, state } = countingEndpoint();
    const ep = mw(endpoint, echo);
    state.fail = unavailable("down");
    for (let i = 0; i < 5; i++) await kitRejection(ep(ctx, {}));
    await waitFor("half-open", () => mw.states()[echo.procedure] === "half-open");
    await kitRejection(ep(ctx, {}));
    assert.is(state.calls, 6);
    assert.is(mw.states()[echo.procedure], "open");
  } finally {
    mw.close();
  }
});

test("one circuit per method: a failing method does not open another's", async () => {
  const mw = breaker();
  try {
    const failing = countingEndpoint();
    failing.state.fail = unavailable("down");
    const healthy = countingEndpoint();
    const a = mw(failing.endpoint, echo);
    const slow = methodInfo(EchoService.method.slow, "client");
    const b = mw(healthy.endpoint, slow);
    for (let i = 0; i < 6; i++) await kitRejection(a(ctx, {}));
    assert.is(await b(ctx, {}), "ok");
    assert.equal(mw.states(), { [echo.procedure]: "open", [slow.procedure]: "closed" });
  } finally {
    mw.close();
  }
});

test("close() shuts the circuits down: later calls fail with Unavailable", async () => {
  const mw = breaker();
  const { endpoint, state } = countingEndpoint();
  const ep = mw(endpoint, echo);
  assert.is(await ep(ctx, {}), "ok");
  mw.close();
  const err = await kitRejection(ep(ctx, {}));
  assert.is(err.code, Code.Unavailable);
  assert.match(err.message, "shut down");
  assert.is(state.calls, 1);
});

test("a stream counts when it is opened; an error in the middle of it does not", async () => {
  const countdown = methodInfo(EchoService.method.countdown, "client");
  const mw = breaker({ volumeThreshold: 2 });
  try {
    async function* brokenMidway() {
      yield 1;
      throw unavailable("connection reset");
    }
    const opened = mw(async () => brokenMidway(), countdown);
    for (let i = 0; i < 5; i++) {
      const stream = (await opened(ctx, {})) as AsyncIterable<number>;
      const drain = async () => {
        for await (const _ of stream);
      };
      await kitRejection(drain());
    }
    assert.is(mw.states()[countdown.procedure], "closed");
    const refused = mw(async () => {
      throw unavailable("refused");
    }, countdown);
    await kitRejection(refused(ctx, {}));
    await kitRejection(refused(ctx, {}));
    assert.is(mw.states()[countdown.procedure], "open", "the same circuit: 2 failed opens in 7");
  } finally {
    mw.close();
  }
});

test("only transport-level codes count as failures", () => {
  const failures = [
    unavailable("x"),
    internal("x"),
    new KitError(Code.DeadlineExceeded, "x"),
    new KitError(Code.ResourceExhausted, "x"),
    new Error("raw"),
  ];
  for (const e of failures) {
    assert.ok(countsAsFailure(e), String(e));
  }
  const answers = [Code.InvalidArgument, Code.NotFound, Code.FailedPrecondition, Code.AlreadyExists, Code.PermissionDenied, Code.Canceled];
  for (const c of answers) {
    assert.not.ok(countsAsFailure(new KitError(c, "x")), Code[c]);
  }
});

test.run();
