import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixedRate, percentile } from "./load.js";

test("percentile picks the nearest rank", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.is(percentile(xs, 50), 50);
  assert.is(percentile(xs, 99), 99);
  assert.is(percentile(xs, 100), 100);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("requests go out at the offered rate, not when earlier ones answer", async () => {
  const sentAt: number[] = [];
  // Every call takes 300 ms; a closed-loop client would send 1 at a time.
  const r = await fixedRate({
    rate: 50,
    seconds: 0.4,
    call: () => {
      sentAt.push(performance.now());
      return new Promise((resolve) => setTimeout(resolve, 300));
    },
  });
  assert.is(r.offered, 20);
  assert.is(r.completed, 20);
  // All 20 were sent before the first answered (0.4 s of sends vs 300 ms calls: most overlap).
  assert.ok(sentAt[19]! - sentAt[0]! < 1000, "sends are paced by the clock");
  // (timers may fire a millisecond early)
  assert.ok(r.latenciesMs[0]! >= 295, "latency counts from the intended send time");
});

test("a failing call counts as an error, and unanswered ones after the drain too", async () => {
  const r = await fixedRate({
    rate: 100,
    seconds: 0.05,
    drainMs: 50,
    call: (i) => (i === 0 ? Promise.reject(new Error("x")) : i === 1 ? new Promise(() => {}) : Promise.resolve()),
  });
  assert.is(r.offered, 5);
  assert.is(r.errors, 2);
  assert.is(r.completed, 3);
});

test.run();
