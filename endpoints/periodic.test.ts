// The periodic loop on Node's mock timers (node:test's MockTimers): time moves
// only when a test ticks it, so "not yet" and "now" are facts, not races.
// Runs are promises the tests settle by hand.
import { mock } from "node:test";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Context } from "./context.js";
import { capture } from "./testing.js";
import { periodic, type PeriodicOptions } from "./periodic.js";

const EVERY = 60_000;

/** A loop whose runs wait until the test ends them; `runs` are their contexts and their ends. */
function loop(run?: PeriodicOptions["run"]) {
  const logged = capture();
  const runs: { ctx: Context; end: (e?: Error) => void }[] = [];
  const p = periodic({
    name: "test.job",
    intervalMs: EVERY,
    log: pino({ level: "debug" }, logged.stream),
    run:
      run ??
      ((ctx) =>
        new Promise<void>((resolve, reject) => {
          runs.push({ ctx, end: (e) => (e ? reject(e) : resolve()) });
        })),
  });
  return { ...p, runs, lines: logged.lines };
}

/** Lets every promise callback queued so far run (setImmediate is not mocked). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

test.before.each(() => mock.timers.enable({ apis: ["setTimeout"] }));
test.after.each(() => mock.timers.reset());

test("the first run comes one interval after start, the next one interval after the previous run ended", async () => {
  const l = loop();
  l.start();
  mock.timers.tick(EVERY - 1);
  assert.is(l.runs.length, 0, "nothing runs before one interval");
  mock.timers.tick(1);
  assert.is(l.runs.length, 1);
  mock.timers.tick(10 * EVERY);
  assert.is(l.runs.length, 1, "no second run while the first is in progress");
  l.runs[0]!.end();
  await settled();
  mock.timers.tick(EVERY - 1);
  assert.is(l.runs.length, 1);
  mock.timers.tick(1);
  assert.is(l.runs.length, 2);
  l.runs[1]!.end();
  await l.stop();
});

test("stop during a run aborts the run's signal, waits for the run to end and starts no other", async () => {
  const l = loop();
  l.start();
  mock.timers.tick(EVERY);
  let stopped = false;
  const stopping = l.stop().then(() => (stopped = true));
  await settled();
  assert.ok(l.runs[0]!.ctx.signal.aborted, "the run is told to stop");
  assert.not.ok(stopped, "stop waits for the run in progress");
  l.runs[0]!.end();
  await stopping;
  mock.timers.tick(10 * EVERY);
  assert.is(l.runs.length, 1);
});

test("a failed run is logged with the job's name and the loop goes on", async () => {
  const l = loop();
  l.start();
  mock.timers.tick(EVERY);
  l.runs[0]!.end(new Error("database unreachable"));
  await settled();
  const warning = l.lines.find((line) => line.msg === "test.job failed; the next run retries");
  assert.ok(warning, JSON.stringify(l.lines));
  assert.is(warning.job, "test.job");
  assert.is(warning.err, "database unreachable");
  mock.timers.tick(EVERY);
  assert.is(l.runs.length, 2, "the next run came");
  l.runs[1]!.end();
  await l.stop();
});

test("a run that throws before it returns a promise is a failed run, not a crash", async () => {
  let calls = 0;
  const l = loop(() => {
    calls++;
    throw new Error("no promise");
  });
  l.start();
  mock.timers.tick(EVERY);
  await settled();
  assert.ok(l.lines.some((line) => line.err === "no promise"));
  mock.timers.tick(EVERY);
  assert.is(calls, 2);
  await l.stop();
});

test("start twice is one loop; start after stop starts nothing", async () => {
  const l = loop();
  l.start();
  l.start();
  mock.timers.tick(EVERY);
  assert.is(l.runs.length, 1, "one run per interval, not two");
  l.runs[0]!.end();
  await l.stop();
  l.start();
  mock.timers.tick(10 * EVERY);
  assert.is(l.runs.length, 1);
});

test.run();
