// Properties of ListTransactions page tokens: every cursor the store can hand
// out (any transaction time a PostgreSQL timestamp holds, any bigint
// sequence) round-trips through its token; and whatever a caller sends as a
// token — edited, forged, random — ListTransactions answers a page or refuses
// it as INVALID_ARGUMENT on page_token, never an error of the database's.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { CreditReason } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { walletFixture, type WalletFixture } from "./fixture.js";
import { decodePageToken, encodePageToken } from "./page-token.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
/** Each run is a query: fewer of them. */
const DB_RUNS = { numRuns: 60, includeErrorInReport: true };
const INT64_MAX = 2n ** 63n - 1n;
/** 9999-12-31T23:59:59.999999Z in microseconds since 1970: the last instant the wallet writes. */
const LAST_MICROS = 253_402_300_799_999_999n;

const cursor = fc.record({
  createMicros: fc.oneof(fc.bigInt({ min: 0n, max: LAST_MICROS }), fc.constantFrom(0n, LAST_MICROS, 1_893_456_000_123_456n)),
  seq: fc.oneof(fc.bigInt({ min: 1n, max: INT64_MAX }), fc.constantFrom(1n, 10n ** 18n, INT64_MAX)),
}, { noNullPrototype: true });
/** What a caller may send: random text, base64url of random JSON, and tokens of cursors far outside the wallet's range. */
const json = (t: unknown, s: unknown) => Buffer.from(JSON.stringify({ t, s })).toString("base64url");
const hostileToken = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }),
  fc.base64String({ minLength: 1, maxLength: 60 }),
  fc.tuple(fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), fc.bigInt({ min: -(10n ** 19n), max: 10n ** 20n })).map(([t, s]) => json(String(t), String(s))),
  fc.tuple(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.bigInt({ min: -1n, max: 10n ** 18n })).map(([t, s]) => json(String(t), String(s))),
  fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([t, s]) => json(t, s)),
  cursor.map(encodePageToken),
);

test("every cursor the store can produce round-trips through its token", () => {
  fc.assert(
    fc.property(cursor, (c) => {
      const token = encodePageToken(c);
      assert.match(token, /^[A-Za-z0-9_-]+$/);
      assert.equal(decodePageToken(token), c);
    }),
    RUNS,
  );
});

test("a token decodes to a cursor inside the wallet's range or to nothing, and decoding never throws", () => {
  fc.assert(
    fc.property(hostileToken, (token) => {
      const c = decodePageToken(token);
      if (c) assert.ok(c.createMicros >= 0n && c.createMicros <= LAST_MICROS && c.seq >= 1n && c.seq <= INT64_MAX, JSON.stringify(String(c.createMicros)));
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
