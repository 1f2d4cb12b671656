// Properties of ListReservations page tokens: every cursor round-trips for
// the customer it was written for; the same token for anyone else, or with any
// one character changed, decodes to nothing; and no input makes decoding throw.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { oneCharacterEdit } from "../../platform/token-edits.testing.js";
import { pageTokens } from "./page-token.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const tokens = pageTokens("a-secret-every-instance-shares");
const seq = fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), fc.constantFrom(1n, 2n ** 63n - 1n));
const customer = fc.string({ minLength: 1, maxLength: 64 });

test("a token decodes to its cursor for its customer, and to nothing for another customer", () => {
  fc.assert(
    fc.property(customer, customer, seq, (owner, other, s) => {
      const token = tokens.encode(owner, s);
      assert.is(tokens.decode(owner, token), s);
      if (other !== owner) assert.is(tokens.decode(other, token), undefined);
    }),
    RUNS,
  );
});

test("changing any one character of a token makes it decode to nothing", () => {
  fc.assert(
    fc.property(customer, seq, fc.nat(), fc.nat(), (owner, s, at, pick) => {
      const token = tokens.encode(owner, s);
      const edited = oneCharacterEdit(token, at, pick);
      fc.pre(edited !== undefined);
      assert.is(tokens.decode(owner, edited), undefined, `${token} → ${edited}`);
    }),
    RUNS,
  );
});

test("no string makes decoding throw, and a forged one never decodes", () => {
  fc.assert(
    fc.property(customer, fc.oneof(fc.string(), fc.base64String(), fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}.${b}`)), (owner, token) => {
      assert.is(tokens.decode(owner, token), undefined, token);
    }),
    RUNS,
  );
});

test.run();
