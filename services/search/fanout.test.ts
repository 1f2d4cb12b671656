// The fan-out helper: parallel branches, one state per settled branch,
// budgets counted from each branch's start, fallbacks, dependencies, the
// plan's and the caller's deadlines, and stopping when the consumer leaves.
// Timing checks are logical (which of two timers fires first), not tight.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, derive, type Context } from "../../endpoints/context.js";
import { Code, unavailable } from "../../endpoints/errors.js";
import { deferred, silentContext } from "../../endpoints/testing.js";
import { until } from "../../platform/processes.testing.js";
import { fanout, valueOf, type FanoutState } from "./fanout.js";
import pino from "pino";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A promise that never settles, ignoring every signal: a dependency that hangs. */
const never = <T>() => new Promise<T>(() => {});

async function collect<T>(states: AsyncIterable<FanoutState<T>>): Promise<FanoutState<T>[]> {
  const all: FanoutState<T>[] = [];
  for await (const s of states) all.push(s);
  return all;
}

test("branches run in parallel and each settling yields a state, the last one done", async () => {
  const bStarted = deferred();
  const aMayFinish = deferred();
  const plan = fanout({ deadlineMs: 5_000 })
    // a can only finish once b has started: sequential running would time out.
    .branch("a", { run: async () => (await bStarted.promise, await aMayFinish.promise, "A") })
    .branch("b", { run: async () => (bStarted.resolve(), 2) });
  const states = plan.run(silentContext())[Symbol.asyncIterator]();

  const first = await states.next();
  if (first.done) return assert.unreachable("a first state");
  assert.is(first.value.settled, "b");
  assert.is(first.value.done, false);
  assert.equal(first.value.outcomes.b?.status, "ok");
  assert.is(first.value.outcomes.a, undefined, "a is still pending");
  aMayFinish.resolve();
  const second = await states.next();
  if (second.done) return assert.unreachable("a second state");
  assert.is(second.value.settled, "a");
  assert.is(second.value.done, true);
  assert.is(valueOf(second.value, "a"), "A");
  assert.is(valueOf(second.value, "b"), 2);
  assert.equal(second.value.degraded, []);
  assert.is((await states.next()).done, true);
});

test("a failing branch degrades with its fallback, or fails without one; neither fails the plan", async () => {
  const last = await fanout()
    .branch("withFallback", { fallback: (e) => `fallback after ${e.code}`, run: async (): Promise<string> => { throw unavailable("down"); } })
    .branch("withoutFallback", { run: async (): Promise<number> => { throw new Error("boom"); } })
    .branch("fine", { run: async () => true })
    .final(silentContext());
  const degraded = last.outcomes.withFallback!;
  assert.is(degraded.status, "degraded");
  assert.is(valueOf(last, "withFallback"), `fallback after ${Code.Unavailable}`);
  const failed = last.outcomes.withoutFallback!;
  assert.is(failed.status, "failed");
  assert.is(failed.status === "failed" && failed.error.code, Code.Internal);
  assert.is(valueOf(last, "withoutFallback"), undefined);
  assert.is(valueOf(last, "fine"), true);
  assert.equal([...last.degraded].sort(), ["withFallback", "withoutFallback"]);
});

test("a branch that hangs past its budget settles at its budget, its signal aborted, the others unaffected", async () => {
  let seen: Context | undefined;
  const started = Date.now();
  const last = await fanout({ deadlineMs: 60_000 })
    .branch("hangs", {
      budgetMs: 150,
      fallback: () => "none",
      run: (ctx) => ((seen = ctx), never<string>()),
    })
    .branch("quick", { run: async () => "ok" })
    .final(silentContext());
  const hangs = last.outcomes.hangs!;
  assert.is(hangs.status, "degraded");
  assert.is(hangs.status === "degraded" && hangs.error.code, Code.DeadlineExceeded);
  assert.ok(Date.now() - started < 30_000, "settled at its budget, not at the plan's deadline");
  assert.ok(seen!.deadline! <= started + 150 + 50, "the branch's ctx carries its own deadline");
  assert.is(seen!.signal.aborted, true);
  assert.is(valueOf(last, "quick"), "ok");
});

test("a branch that needs another starts after it, gets its value, and its budget counts from its own start", async () => {
  const order: string[] = [];
  const last = await fanout({ deadlineMs: 60_000 })
    .branch("ids", { run: async () => (await sleep(300), order.push("ids"), [1, 2, 3]) })
    .branch("prices", {
      needs: ["ids"],
      // 300 ms waiting for ids + 200 ms of work > 400 ms: only fits if the budget starts with the branch.
      budgetMs: 400,
      run: async (_ctx, { ids }) => (order.push("prices"), await sleep(200), ids.map((id) => id * 10)),
    })
    .final(silentContext());
  assert.equal(order, ["ids", "prices"]);
  assert.equal(valueOf(last, "prices"), [10, 20, 30]);
});

test("a branch whose need failed fails at once without running; one whose need degraded gets the fallback", async () => {
  let ran = false;
  const last = await fanout()
    .branch("broken", { run: async (): Promise<number> => { throw unavailable("down"); } })
    .branch("soft", { fallback: () => 0, run: async (): Promise<number> => { throw unavailable("down"); } })
    .branch("afterBroken", { needs: ["broken"], run: async () => ((ran = true), 1) })
    .branch("afterSoft", { needs: ["soft"], run: async (_c, { soft }) => soft + 1 })
    .final(silentContext());
  const after = last.outcomes.afterBroken!;
  assert.is(after.status, "failed");
  assert.is(after.status === "failed" && after.error.code, Code.FailedPrecondition);
  assert.is(ran, false);
  assert.is(valueOf(last, "afterSoft"), 1);
});

test("the plan's deadline and the caller's deadline cap every budget", async () => {
  const started = Date.now();
  const byPlan = await fanout({ deadlineMs: 100 })
    .branch("slow", { budgetMs: 60_000, fallback: () => 0, run: () => never<number>() })
    .final(silentContext());
  assert.is(byPlan.outcomes.slow!.status, "degraded");

  const caller = derive(silentContext(), { deadline: Date.now() + 100 });
  const byCaller = await fanout()
    .branch("slow", { budgetMs: 60_000, run: () => never<number>() })
    .final(caller);
  const outcome = byCaller.outcomes.slow!;
  assert.is(outcome.status === "failed" && outcome.error.code, Code.DeadlineExceeded);
  assert.ok(Date.now() - started < 30_000);
});

test("the caller cancelling, or the consumer leaving, aborts the branches still running", async () => {
  const cancel = new AbortController();
  const ctx = backgroundContext({ log: pino({ level: "silent" }), signal: cancel.signal });
  const signals: AbortSignal[] = [];
  const canceled = fanout()
    .branch("pending", { run: (c) => (signals.push(c.signal), never<number>()) })
    .final(ctx);
  await until("the branch running", () => (signals.length === 1 ? true : undefined));
  cancel.abort(new Error("client went away"));
  const outcome = (await canceled).outcomes.pending!;
  assert.is(outcome.status, "failed");
  assert.is(signals[0]!.aborted, true);

  const plan = fanout()
    .branch("quick", { run: async () => 1 })
    .branch("pending", { run: (c) => (signals.push(c.signal), never<number>()) });
  for await (const state of plan.run(silentContext())) {
    assert.is(state.settled, "quick");
    break; // the consumer leaves after the first state
  }
  assert.is(signals[1]!.aborted, true);
});

test("a branch may only need earlier branches", () => {
  const plan = fanout().branch("a", { run: async () => 1 });
  assert.throws(
    () => plan.branch("b", { needs: ["c" as "a"], run: async () => 2 }),
    /b needs c, which is not an earlier branch/,
  );
});

test("a plan is reusable: each run starts its branches afresh", async () => {
  let runs = 0;
  const plan = fanout().branch("count", { run: async () => ++runs });
  assert.is(valueOf(await plan.final(silentContext()), "count"), 1);
  assert.is(valueOf(await plan.final(silentContext()), "count"), 2);
  assert.equal((await collect(plan.run(silentContext()))).map((s) => s.done), [true]);
});

test.run();
