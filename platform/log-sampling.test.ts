import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_SUCCESS_SAMPLING, SuccessSampler } from "./log-sampling.js";

/** Trace ids whose last 8 hex digits spread evenly over 0..2^32 (Knuth's multiplicative hash of i). */
const traceIds = (n: number) =>
  Array.from({ length: n }, (_, i) => "4bf92f3577b34da6a3ce9290" + ((Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0")));

test("a trace is sampled by its id: the same id gets the same answer in every process, at the configured rate", () => {
  const a = new SuccessSampler({ successOneIn: 10, successesPerSecond: 0 });
  const b = new SuccessSampler({ successOneIn: 10, successesPerSecond: 0 });
  const ids = traceIds(10_000);
  const levels = ids.map((id) => a.levelOf(id, 1));
  assert.equal(ids.map((id) => b.levelOf(id, 1)), levels, "another process decides alike");
  const sampled = levels.filter((l) => l === "info").length;
  assert.ok(sampled > 900 && sampled < 1100, `${sampled} of 10000 sampled at one in 10`);
  assert.ok(levels.every((l) => l === "info" || l === "debug"));
  assert.is(a.levelOf("4bf92f3577b34da6a3ce929d00000000", 1), "info", "the lowest id is always in");
  assert.is(a.levelOf("4bf92f3577b34da6a3ce929dffffffff", 1), "debug", "the highest never, unless every trace is");
  assert.is(new SuccessSampler({ successOneIn: 1, successesPerSecond: 0 }).levelOf("4bf92f3577b34da6a3ce929dffffffff", 1), "info");
  assert.is(new SuccessSampler({ successOneIn: 0, successesPerSecond: 0 }).levelOf("4bf92f3577b34da6a3ce929d00000000", 1), "debug", "0: none");
});

test("beyond the sample, a budget of successes per second is logged at info, the rest at debug", () => {
  let now = 1_000_000;
  const s = new SuccessSampler({ successOneIn: 0, successesPerSecond: 3, now: () => now });
  const second = () => Array.from({ length: 5 }, () => s.levelOf(undefined, 1));
  assert.equal(second(), ["info", "info", "info", "debug", "debug"]);
  now += 999;
  assert.equal(second(), ["debug", "debug", "debug", "debug", "debug"], "the same second");
  now += 1;
  assert.equal(second(), ["info", "info", "info", "debug", "debug"], "a new second, a new budget");
});

test("a call at least slowMs long is a warning, whatever the sample and the budget", () => {
  const s = new SuccessSampler({ successOneIn: 0, successesPerSecond: 0, slowMs: 250 });
  assert.is(s.levelOf("4bf92f3577b34da6a3ce929dffffffff", 249.9), "debug");
  assert.is(s.levelOf("4bf92f3577b34da6a3ce929dffffffff", 250), "warn");
  assert.is(s.levelOf(undefined, 10_000), "warn");
});

test("defaults: one trace in a hundred, ten more a second, slow from 250 ms", () => {
  assert.equal(DEFAULT_SUCCESS_SAMPLING, { successOneIn: 100, successesPerSecond: 10, slowMs: 250 });
  const s = new SuccessSampler();
  assert.is(s.slowMs, 250);
  const levels = traceIds(20).map((id) => s.levelOf(id, 1));
  assert.is(levels.filter((l) => l === "info").length >= 10, true, "the first ten of a second are all in");
});

test("options out of range are refused with what is allowed", () => {
  assert.throws(() => new SuccessSampler({ successOneIn: 1.5 }), /successOneIn must be a whole number, 0 or more, not 1.5/);
  assert.throws(() => new SuccessSampler({ successOneIn: Number.NaN }), /successOneIn must be a whole number/);
  assert.throws(() => new SuccessSampler({ successesPerSecond: -1 }), /successesPerSecond must be a whole number, 0 or more, not -1/);
  assert.throws(() => new SuccessSampler({ successesPerSecond: 2.5 }), /successesPerSecond must be a whole number/);
  assert.throws(() => new SuccessSampler({ slowMs: -5 }), /slowMs must be 0 or more, not -5/);
});

test.run();
