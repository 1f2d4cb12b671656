// The cancellation policy as a table: every state and kind of booking, what
// it costs, what goes back to the card and to the wallet.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cancellationTerms, type Cancellable } from "./fees.js";

const base: Cancellable = {
  reservationId: "res_x",
  state: "paid",
  currency: "EUR",
  amountMinor: 30_000n,
  markdownMinor: 5_000n,
  premium: false,
  starRating: 4,
};

type Row = [string, Partial<Cancellable>, { from: string; fee: bigint; refund: bigint; wallet: bigint; policy: RegExp }];

const cancellable: Row[] = [
  ["paid: free, everything back", {}, { from: "paid", fee: 0n, refund: 30_000n, wallet: 5_000n, policy: /not yet confirmed/ }],
  ["paid at a 5-star hotel: still free", { starRating: 5 }, { from: "paid", fee: 0n, refund: 30_000n, wallet: 5_000n, policy: /Free/ }],
  ["confirmed premium: free", { state: "confirmed", premium: true }, { from: "confirmed", fee: 0n, refund: 30_000n, wallet: 5_000n, policy: /flexible/ }],
  ["confirmed premium at a 5-star hotel: free", { state: "confirmed", premium: true, starRating: 5 }, { from: "confirmed", fee: 0n, refund: 30_000n, wallet: 5_000n, policy: /flexible/ }],
  ["confirmed at a 5-star hotel: non-refundable", { state: "confirmed", starRating: 5 }, { from: "confirmed", fee: 30_000n, refund: 0n, wallet: 0n, policy: /Non-refundable.*5-star/ }],
  ["confirmed at a 4-star hotel: the fixed fee", { state: "confirmed" }, { from: "confirmed", fee: 2_500n, refund: 27_500n, wallet: 5_000n, policy: /EUR 25\.00/ }],
  ["confirmed flight (no stars): the fixed fee", { state: "confirmed", starRating: 0 }, { from: "confirmed", fee: 2_500n, refund: 27_500n, wallet: 5_000n, policy: /fee/ }],
  ["confirmed, cheaper than the fee: the fee is capped at the card amount", { state: "confirmed", amountMinor: 1_800n }, { from: "confirmed", fee: 1_800n, refund: 0n, wallet: 5_000n, policy: /EUR 18\.00/ }],
  ["confirmed without markdown", { state: "confirmed", markdownMinor: 0n }, { from: "confirmed", fee: 2_500n, refund: 27_500n, wallet: 0n, policy: /fee/ }],
];

for (const [name, changes, want] of cancellable) {
  test(name, () => {
    const terms = cancellationTerms({ ...base, ...changes });
    if (!terms.ok) throw new Error(`refused: ${terms.reason}`);
    assert.equal([terms.from, terms.feeMinor, terms.refundMinor, terms.walletRefundMinor], [want.from, want.fee, want.refund, want.wallet]);
    assert.match(terms.policy, want.policy);
    assert.is(terms.feeMinor + terms.refundMinor, (changes.amountMinor ?? base.amountMinor), "fee and refund add up to the card amount");
  });
}

const refused: [Cancellable["state"], RegExp][] = [
  ["fulfilled", /already taken place/],
  ["cancelled", /already cancelled/],
  ["failed", /already refunded/],
];

for (const [state, reason] of refused) {
  test(`${state}: cannot be cancelled, with a sentence naming the reservation`, () => {
    const terms = cancellationTerms({ ...base, state });
    assert.is(terms.ok, false);
    if (!terms.ok) {
      assert.match(terms.reason, reason);
      assert.match(terms.reason, /^Reservation res_x /);
    }
  });
}

test("the fee and the non-refundable stars come from the settings", () => {
  const settings = { feeMinor: 4_000n, feeCurrency: "EUR", nonRefundableStars: 4 };
  const four = cancellationTerms({ ...base, state: "confirmed" }, settings);
  assert.equal(four.ok && [four.feeMinor, four.refundMinor, four.walletRefundMinor], [30_000n, 0n, 0n]);
  const three = cancellationTerms({ ...base, state: "confirmed", starRating: 3 }, settings);
  assert.equal(three.ok && [three.feeMinor, three.refundMinor], [4_000n, 26_000n]);
});

test("a fixed fee in another currency than the reservation's is refused loudly, not converted", () => {
  assert.throws(() => cancellationTerms({ ...base, state: "confirmed", currency: "USD" }), /EUR.*USD/);
});

test.run();
