// Batching for catalog and pricing: never over the limit, a room's nights
// kept in one batch whenever they fit, order kept.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { batches, batchesKeepingTogether } from "./ingestion.js";

test("batches cut a list into lists of at most the limit, in order", () => {
  assert.equal(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.equal(batches([], 3), []);
  assert.throws(() => batches([1], 0), /at least one/);
});

test("runs of the same key stay together when they fit, and are cut only when longer than a batch", () => {
  const key = (s: string) => s[0]!;
  assert.equal(batchesKeepingTogether(["a1", "a2", "b1", "b2", "c1", "c2"], 4, key), [["a1", "a2", "b1", "b2"], ["c1", "c2"]]);
  assert.equal(batchesKeepingTogether(["a1", "b1", "b2", "b3", "c1"], 3, key), [["a1"], ["b1", "b2", "b3"], ["c1"]]);
  // A run longer than a batch is cut; what is left of it is completed by the next runs.
  assert.equal(batchesKeepingTogether(["a1", "b1", "b2", "b3", "b4", "b5", "c1"], 2, key), [["a1"], ["b1", "b2"], ["b3", "b4"], ["b5", "c1"]]);
  const many = Array.from({ length: 1000 }, (_, i) => `${String.fromCharCode(97 + Math.floor(i / 90))}${i}`);
  const cut = batchesKeepingTogether(many, 200, key);
  assert.ok(cut.every((b) => b.length <= 200));
  assert.equal(cut.flat(), many);
  assert.ok(cut.every((b, i) => i === cut.length - 1 || key(b[b.length - 1]!) !== key(cut[i + 1]![0]!)), "no run is split");
});

test.run();
