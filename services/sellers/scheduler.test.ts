// The sync scheduler: every seller at once on start, then again after the
// interval; one seller's syncs never overlap; a failed sync is retried at the
// next tick; stop() cancels the running syncs, waits for them, and nothing
// runs afterwards. Two schedulers on one real database (two replicas): each
// seller's sync runs on one of them, the other skips it.
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import knexFactory from "knex";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Context } from "../../endpoints/context.js";
import { advisoryExclusive, type Exclusive } from "../../platform/job-lock.js";
import { until as untilValue } from "../../platform/processes.testing.js";
import { testDatabase } from "../../platform/testing.js";
import { SyncScheduler } from "./scheduler.js";

const log = pino({ level: "silent" });
/** A single replica: every job runs (the lock's own behaviour has its tests in platform/job-lock.test.ts). */
const alone: Exclusive = async (_name, job) => ({ ran: true, value: await job() });
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
    exclusive: alone,
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
  await until("both synced at start", () => runs.a! >= 1 && runs.b! >= 1);
  await until("three syncs each", () => runs.a! >= 3 && runs.b! >= 3);
  await scheduler.stop();
  assert.is(overlaps, 0);
  // No sync is running (stop waited for them) and no timer is left to start one: nothing runs after stop.
  assert.is(running.size, 0);
  assert.is(timers(), timersBefore, "a timer is left after stop");
});

test("a failed sync is retried sooner than the interval, backing off", async () => {
  const at: number[] = [];
  const waits: number[] = [];
  const warnLines = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as { retry_ms?: number };
      if (line.retry_ms !== undefined) waits.push(line.retry_ms);
      done();
    },
  });
  const scheduler = new SyncScheduler({
    sellerIds: ["down"],
    intervalMs: 60_000,
    retryMs: 20,
    log: pino({ level: "warn" }, warnLines),
    exclusive: alone,
    sync: async () => {
      at.push(performance.now());
      throw new Error("catalog is not up yet");
    },
  });
  scheduler.start();
  await until("three attempts", () => at.length >= 3);
  await scheduler.stop();
  // The planned waits, from the log: a loaded machine may stretch the first real wait past the second.
  assert.equal(waits.slice(0, 2), [20, 40], "the retry wait doubles");
  // A timer never fires early (1 ms of rounding aside), so the second real wait is at least its plan.
  assert.ok(at[2]! - at[1]! >= 35, "the second retry waits about twice the first");
});

test("stop cancels a running sync through its context and waits for it", async () => {
  let seen: Context | undefined;
  let ended = false;
  const scheduler = new SyncScheduler({
    sellerIds: ["slow"],
    intervalMs: 60_000,
    log,
    exclusive: alone,
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

test("two replicas' schedulers on one database: each seller is synced by one of them, the other skips it", async () => {
  const db = await testDatabase();
  // Two pools stand for two replicas' connections.
  const pools = [0, 1].map(() => knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 3 } }));
  const skipped: string[] = [];
  const debugLines = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as { msg: string; seller?: string };
      if (line.msg.startsWith("scheduled sync skipped")) skipped.push(line.seller!);
      done();
    },
  });
  const runs: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const schedulers = pools.map(
    (knex, i) =>
      new SyncScheduler({
        sellerIds: ["casa", "skylark"],
        intervalMs: 60_000,
        log: pino({ level: "debug" }, debugLines),
        exclusive: advisoryExclusive(knex),
        // A sync lasts until the test has seen the other replica skip it.
        sync: async (_ctx, id) => {
          runs.push(`${id}@${i}`);
          await released;
        },
      }),
  );
  try {
    schedulers.forEach((s) => s.start());
    await until("both sellers synced by one replica and skipped by the other", () => runs.length === 2 && skipped.length === 2);
    assert.equal([...skipped].sort(), ["casa", "skylark"]);
    assert.equal(runs.map((r) => r.split("@")[0]).sort(), ["casa", "skylark"], "each seller synced once");
  } finally {
    release();
    await Promise.all(schedulers.map((s) => s.stop()));
    await Promise.all(pools.map((k) => k.destroy()));
    await db.drop();
  }
  assert.is(runs.length, 2, "nothing ran again before the interval");
});

test.run();
