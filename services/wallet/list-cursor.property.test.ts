// Properties of ListTransactions' cursor: every cursor the store can hand out
// (any transaction time a PostgreSQL timestamp holds, any bigint sequence)
// round-trips through its text and its token; any text reads as a cursor
// inside the wallet's range or as nothing; and whatever a caller sends as a
// token — random, forged, or even correctly signed around text of its own
// choosing — ListTransactions answers a page or refuses it as
// INVALID_ARGUMENT on page_token, never an error of the database's.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import { CreditReason } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { TEST_PAGE_TOKEN_SECRET, walletFixture, type WalletFixture } from "./fixture.js";
import { transactionCursor } from "./list-cursor.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
/** Each run is a query: fewer of them. */
const DB_RUNS = { numRuns: 60, includeErrorInReport: true };
const INT64_MAX = 2n ** 63n - 1n;
/** 9999-12-31T23:59:59.999999Z in microseconds since 1970: the last instant the wallet writes. */
const LAST_MICROS = 253_402_300_799_999_999n;
/** The scope of ana's unfiltered listing. */
const ANA: readonly string[] = ["ana", ""];

const cursor = fc.record({
  createMicros: fc.oneof(fc.bigInt({ min: 0n, max: LAST_MICROS }), fc.constantFrom(0n, LAST_MICROS, 1_893_456_000_123_456n)),
  seq: fc.oneof(fc.bigInt({ min: 1n, max: INT64_MAX }), fc.constantFrom(1n, 10n ** 18n, INT64_MAX)),
}, { noNullPrototype: true });
/** Cursor text a caller might write: random, and numbers far outside the wallet's range. */
const big = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map(String);
const hostileText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.tuple(big(-(10n ** 19n), 10n ** 19n), big(-(10n ** 19n), 10n ** 20n)).map(([t, s]) => `${t}.${s}`),
  fc.tuple(big(LAST_MICROS - 5n, LAST_MICROS + 5n), big(INT64_MAX - 5n, INT64_MAX + 5n)).map(([t, s]) => `${t}.${s}`),
  fc.constantFrom("0.0", "1.", ".1", "01.1", "1.1.1", "1e3.1"),
);
/** Signed with the wallet's own secret around any text: only the cursor codec stands between it and the query. */
const signedText = pageTokens({ secret: TEST_PAGE_TOKEN_SECRET, list: "ListTransactions", codec: { write: (t: string) => t, read: (t) => t }, scopeIs: "" });
const hostileToken = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }),
  fc.base64String({ minLength: 1, maxLength: 60 }),
  hostileText.filter((t) => t !== "").map((t) => signedText.encode(ANA, t)),
);

test("every cursor the store can produce round-trips through its text", () => {
  fc.assert(
    fc.property(cursor, (c) => {
      assert.equal(transactionCursor.read(transactionCursor.write(c)), c);
    }),
    RUNS,
  );
});

test("any text reads as a cursor inside the wallet's range or as nothing, and reading never throws", () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const c = transactionCursor.read(text);
      if (c) assert.ok(c.createMicros >= 0n && c.createMicros <= LAST_MICROS && c.seq >= 1n && c.seq <= INT64_MAX, text);
    }),
    RUNS,
  );
});

let w: WalletFixture;
test.before(async () => {
  w = await walletFixture();
  await w.client.credit(w.ctx, { idempotencyKey: "k1", customerId: "ana", amount: { amountMinor: 500n, currency: "EUR" }, reason: CreditReason.CASHBACK });
});
test.after(async () => {
  await w?.close();
});

test("ListTransactions answers any token with a page or INVALID_ARGUMENT on page_token", async () => {
  await fc.assert(
    fc.asyncProperty(hostileToken, async (pageToken) => {
      try {
        await w.client.listTransactions(w.ctx, { customerId: "ana", pageToken, pageSize: 5 });
      } catch (e) {
        assert.instance(e, KitError, String(e));
        const error = e as KitError;
        assert.is(error.code, Code.InvalidArgument, `${pageToken}: ${error.codeName} ${error.message}`);
        assert.equal(error.violations.map((v) => v.field), ["page_token"]);
      }
    }),
    DB_RUNS,
  );
});

test.run();
