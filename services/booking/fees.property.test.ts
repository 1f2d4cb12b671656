// Properties of the cancellation policy: whatever the reservation, the money
// is split without a minor unit created or lost — the fee and the card refund
// add up to what the card paid, and the wallet gets back its markdown or nothing.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cancellationTerms, DEFAULT_CANCELLATION, type Cancellable } from "./fees.js";

const RUNS = { numRuns: 500, includeErrorInReport: true };
const MAX = 2n ** 63n - 1n;

const reservation: fc.Arbitrary<Cancellable> = fc.record({
  reservationId: fc.constant("r_1"),
  state: fc.constantFrom("paid", "confirmed", "fulfilled", "cancelled", "failed"),
  currency: fc.constant("EUR"),
  amountMinor: fc.oneof(fc.bigInt({ min: 0n, max: MAX }), fc.bigInt({ min: 0n, max: 10_000n })),
  markdownMinor: fc.bigInt({ min: 0n, max: MAX }),
  premium: fc.boolean(),
  starRating: fc.integer({ min: 0, max: 5 }),
});
const settings = fc.record({ feeMinor: fc.bigInt({ min: 0n, max: 100_000n }), feeCurrency: fc.constant("EUR"), nonRefundableStars: fc.integer({ min: 1, max: 6 }) });

test("a cancellation conserves the card amount, charges no more than it, and refunds the wallet its markdown or nothing", () => {
  fc.assert(
    fc.property(reservation, fc.oneof(fc.constant(DEFAULT_CANCELLATION), settings), (r, s) => {
      const t = cancellationTerms(r, s);
      if (!t.ok) {
        assert.ok(["fulfilled", "cancelled", "failed"].includes(r.state), `${r.state} refused: ${t.reason}`);
        return;
      }
      assert.ok(r.state === "paid" || r.state === "confirmed");
      assert.is(t.feeMinor + t.refundMinor, r.amountMinor, "fee + refund = card amount");
      assert.ok(t.feeMinor >= 0n && t.refundMinor >= 0n && t.feeMinor <= r.amountMinor);
      assert.ok(t.walletRefundMinor === r.markdownMinor || t.walletRefundMinor === 0n);
      if (t.feeMinor > 0n) assert.ok(t.feeMinor === r.amountMinor || t.feeMinor === s.feeMinor, "a fee is the fixed fee or the whole amount");
      if (r.state === "paid" || r.premium) assert.is(t.feeMinor, 0n, "free before confirmation and for flexible bookings");
    }),
    RUNS,
  );
});

test.run();
