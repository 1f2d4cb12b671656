// contracts/acknowledged-changes.json is written by hand: whatever is wrong in
// it is refused with what to fix, every problem at once, and an entry matches
// its change whatever the order of keys and listed services.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { entryFor, parseAcknowledgements, reconcile, WHY_PLACEHOLDER, type Difference } from "./acknowledgements.js";

const CALLERS: Difference = {
  kind: "option",
  method: "itinera.demo.v1.DemoService/Get",
  option: "itinera.options.v1.callers",
  from: { customer: true, services: ["web"] },
  to: { customer: true, services: ["sellers", "web"] },
};

function refusal(text: string): string {
  try {
    parseAcknowledgements(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`accepted ${text}`);
}

test("text that is not JSON, or not the file's shape, is refused with the shape to write", () => {
  assert.match(refusal("{"), "contracts/acknowledged-changes.json is not valid JSON");
  assert.match(refusal("[]"), '{"about": "...", "acknowledged": [entries]}; it is not an object');
  assert.match(refusal('{"acknowledged": {}}'), '"acknowledged" is not a list');
  assert.match(refusal('{"acknowledged": [], "acknowledge": []}'), "unknown key(s) acknowledge");
});

test("every malformed entry is named with what it lacks, in one refusal", () => {
  const message = refusal(
    JSON.stringify({
      acknowledged: [
        "FIELD_NO_DELETE",
        { method: "a.B/C", option: "x", from: 1, why: "w" },
        { rule: "FIELD_NO_DELETE", path: "p", message: "m", why: "w", line: 3 },
        { rule: 7, path: "p", message: "m", why: "w" },
        { ...entryFor(CALLERS) },
        { rule: "R", path: "p", message: "m", why: "  " },
        { rule: "R2", path: "p", message: "m", why: "ok" },
        { why: "again", message: "m", path: "p", rule: "R2" },
        { file: "buf.yaml", from: 1, to: "b", why: "w" },
      ],
    }),
  );
  assert.match(message, "has 8 malformed entries");
  assert.match(message, "entry 1: not an object");
  assert.match(message, "entry 2: missing to");
  assert.match(message, "entry 3: unknown line");
  assert.match(message, "entry 4: rule must be text");
  assert.match(message, 'entry 5: "why" must say why the change is deliberate and no caller breaks');
  assert.match(message, 'entry 6: "why" must say why the change is deliberate and no caller breaks');
  assert.match(message, "entry 8: the same change as entry 7");
  assert.match(message, "entry 9: from must be text");
});

test("an entry matches its change whatever the order of its keys and services; the rest is unacknowledged or stale", () => {
  const acks = parseAcknowledgements(
    JSON.stringify({
      acknowledged: [
        { to: { services: ["web", "sellers"], customer: true }, from: { services: ["web"], customer: true }, option: CALLERS.option, method: CALLERS.method, why: "sellers confirm" },
        { rule: "FIELD_NO_DELETE", path: "proto/x.proto", message: "gone", why: "never sent" },
        { file: "buf.yaml", from: "aaa", to: "bbb", why: "a second module" },
      ],
    }),
  );
  const removed: Difference = { kind: "buf", rule: "RPC_NO_DELETE", path: "proto/y.proto", line: 4, message: "rpc gone" };
  const config: Difference = { kind: "config", file: "buf.yaml", from: "aaa", to: "bbb" };
  const { acknowledged, unacknowledged, stale } = reconcile([CALLERS, removed, config], acks);
  assert.equal(acknowledged, [
    { difference: CALLERS, why: "sellers confirm" },
    { difference: config, why: "a second module" },
  ]);
  assert.equal(unacknowledged, [removed]);
  assert.equal(stale.map((a) => a.names.rule), ["FIELD_NO_DELETE"]);
  assert.is(entryFor(removed).why, WHY_PLACEHOLDER);
});

test.run();
