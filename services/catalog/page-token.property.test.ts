// Properties of SearchHotels page tokens: every cursor round-trips for its
// query (however the query is cased or spaced); for another query, or with
// any one character changed, the token decodes to nothing; decoding never throws.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { SearchCursor } from "./listings.js";
import { oneCharacterEdit } from "../../platform/token-edits.testing.js";
import { pageTokens } from "./page-token.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const tokens = pageTokens("a-secret-every-instance-shares");
const cursor: fc.Arbitrary<SearchCursor> = fc.record(
  { tier: fc.integer({ min: 0, max: 4 }), score: fc.oneof(fc.integer(), fc.maxSafeInteger()), hotelId: fc.string({ unit: "binary", maxLength: 40 }) },
  { noNullPrototype: true },
);
const query = fc.string({ minLength: 1, maxLength: 30 });
const normal = (q: string) => q.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();

test("a token decodes to its cursor for its query however it is cased or spaced, and to nothing for another query", () => {
  fc.assert(
    fc.property(query, query, cursor, (q, other, c) => {
      const token = tokens.encode(q, c);
      assert.equal(tokens.decode(q, token), c);
      assert.equal(tokens.decode(`  ${q.toUpperCase()} `, token), normal(q.toUpperCase()) === normal(q) ? c : undefined);
      if (normal(other) !== normal(q)) assert.is(tokens.decode(other, token), undefined);
    }),
    RUNS,
  );
});

test("changing any one character of a token makes it decode to nothing", () => {
  fc.assert(
    fc.property(query, cursor, fc.nat(), fc.nat(), (q, c, at, pick) => {
      const token = tokens.encode(q, c);
      const edited = oneCharacterEdit(token, at, pick);
      fc.pre(edited !== undefined);
      assert.is(tokens.decode(q, edited), undefined, `${token} → ${edited}`);
    }),
    RUNS,
  );
});

test("no string makes decoding throw, and a forged one never decodes", () => {
  fc.assert(
    fc.property(query, fc.oneof(fc.string(), fc.base64String(), fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}.${b}`)), (q, token) => {
      assert.is(tokens.decode(q, token), undefined, token);
    }),
    RUNS,
  );
});

test.run();
