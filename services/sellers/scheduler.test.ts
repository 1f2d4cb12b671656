// The sync scheduler: every seller at once on start, then again after the
// interval; one seller's syncs never overlap; a failed sync is retried at the
// next tick; stop() cancels the running syncs, waits for them, and nothing
// runs afterwards.
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Context } from "../../endpoints/context.js";
import { until as untilValue } from "../../platform/processes.testing.js";
import { SyncScheduler } from "./scheduler.js";

const log = pino({ level: "silent" });
const until = (what: string, check: () => boolean, timeoutMs?: number) => untilValue(what, () => (check() ? true : undefined), timeoutMs);
/** Timers this process has pending: the scheduler's only way to run anything later. */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

test("syncs every seller at start and again after each interval, never overlapping; failures are retried", async () => {
  const runs: Record<string, number> = { a: 0, b: 0 };
  const running = new Set<string>();
  let overlaps = 0;
  const scheduler = new SyncScheduler({
    sellerIds: ["a", "b"],
    intervalMs: 30,
    log,
    sync: async (_ctx, id) => {
      if (running.has(id)) overlaps++;
      running.add(id);
      runs[id]!++;
      await sleep(40); // longer than the interval: the next one still waits for this one to end
      running.delete(id);
      if (id === "b") throw new Error("b is down");
    },
  });
  await new Promise(setImmediate); // out of the timer callback that runs this test: it is not a timer of ours
  const timersBefore = timers();
  scheduler.start();
  scheduler.start(); // a second start changes nothing
  await until("both synced at start", () => runs.a! >= 1 && runs.b! >= 1, 2000);
  await until("three syncs each", () => runs.a! >= 3 && runs.b! >= 3);
  await scheduler.stop();
  assert.is(overlaps, 0);
  // No sync is running (stop waited for them) and no timer is left to start one: nothing runs after stop.
  assert.is(running.size, 0);
  assert.is(timers(), timersBefore, "a timer is left after stop");
});

test("a failed sync is retried sooner than the interval, backing off", async () => {
  const at: number[] = [];
  const scheduler = new SyncScheduler({
    sellerIds: ["down"],
    intervalMs: 60_000,
    retryMs: 20,
    log,
    sync: async () => {
      at.push(performance.now());
      throw new Error("catalog is not up yet");
    },
  });
  scheduler.start();
  await until("three attempts", () => at.length >= 3);
  await scheduler.stop();
  assert.ok(at[2]! - at[1]! >= at[1]! - at[0]! - 5, "the second wait is not shorter than the first");
  assert.ok(at[2]! - at[1]! >= 35, "the second retry waits about twice the first");
});

test("stop cancels a running sync through its context and waits for it", async () => {
  let seen: Context | undefined;
  let ended = false;
  const scheduler = new SyncScheduler({
    sellerIds: ["slow"],
    intervalMs: 60_000,
    log,
    syncTimeoutMs: 120_000,
    sync: async (ctx) => {
      seen = ctx;
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      ended = true;
    },
  });
  scheduler.start();
  await until("the sync started", () => seen !== undefined);
  assert.ok(seen!.deadline! > Date.now() + 60_000, "a sync gets the long sync deadline");
  await scheduler.stop();
  assert.is(ended, true);
  assert.is(seen!.signal.aborted, true);
});

test.run();
