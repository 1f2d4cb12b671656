import { createHmac } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { signatureProblem, signBody, verifySignature } from "./signature.js";

const SECRET = "s3cret";
const BODY = '{"merchant_ref":"pay_1","amount_minor":100}';
const NOW = 1_800_000_000;

test("the header is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>", () => {
  const expected = createHmac("sha256", SECRET).update(`${NOW}.${BODY}`).digest("hex");
  assert.is(signBody(SECRET, BODY, NOW), `t=${NOW},v1=${expected}`);
  assert.ok(verifySignature(SECRET, signBody(SECRET, BODY, NOW), BODY, NOW));
  assert.ok(verifySignature(SECRET, ` t=${NOW} , v1=${expected} `, BODY, NOW), "spaces around parts are fine");
});

test("a changed body, another secret, a stale or future timestamp, a malformed or missing header are refused", () => {
  const header = signBody(SECRET, BODY, NOW);
  assert.is(signatureProblem(SECRET, header, BODY.replace("100", "101"), NOW), "signature does not match");
  assert.is(signatureProblem("other", header, BODY, NOW), "signature does not match");
  assert.is(signatureProblem(SECRET, header, BODY, NOW + 300), undefined, "300 s is still fine");
  assert.match(signatureProblem(SECRET, header, BODY, NOW + 301)!, /more than 300 s away/);
  assert.match(signatureProblem(SECRET, signBody(SECRET, BODY, NOW + 301), BODY, NOW)!, /more than 300 s away/);
  assert.is(signatureProblem(SECRET, undefined, BODY, NOW), "missing x-gateway-signature header");
  assert.is(signatureProblem(SECRET, ["a", "b"], BODY, NOW), "missing x-gateway-signature header");
  assert.is(signatureProblem(SECRET, "v1=abc", BODY, NOW), "malformed x-gateway-signature header");
  assert.is(signatureProblem(SECRET, `t=${NOW},v1=${"0".repeat(63)}`, BODY, NOW), "malformed x-gateway-signature header");
  // The timestamp is inside the MAC: moving it breaks the signature.
  const moved = header.replace(`t=${NOW}`, `t=${NOW + 10}`);
  assert.is(signatureProblem(SECRET, moved, BODY, NOW), "signature does not match");
});

test.run();
