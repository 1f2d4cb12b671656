import { test } from "uvu";
import * as assert from "uvu/assert";
import { HEAVY_MARK, nextIndex } from "./schedule.js";

const heavy = new Set(["e2e/cluster.test.ts", "e2e/crash.test.ts"]);
const isHeavy = (f: string) => heavy.has(f);

test("the first file in the queue runs next while no heavy file runs", () => {
  assert.is(nextIndex(["e2e/cluster.test.ts", "a.test.ts"], isHeavy, false), 0);
  assert.is(nextIndex([], isHeavy, false), -1);
});

test("while a heavy file runs, the next light one is taken and heavy ones wait", () => {
  assert.is(nextIndex(["e2e/crash.test.ts", "e2e/cluster.test.ts", "a.test.ts"], isHeavy, true), 2);
  assert.is(nextIndex(["e2e/crash.test.ts"], isHeavy, true), -1, "only heavy files left: wait");
});

test("a file is heavy by a line of its own", () => {
  assert.ok(HEAVY_MARK.test("// header\n// test-heavy\nimport x"));
  assert.not.ok(HEAVY_MARK.test("// not a test-heavy file\n"));
});

test.run();
