// The state machine after PAID: ConfirmReservation and FailReservation
// (sellers), CancelReservation with the policy's fee (customers) — each
// change publishes its event in the same transaction, each repeat answers
// the same reservation and publishes nothing, every other transition is
// FAILED_PRECONDITION with a sentence, and a cancellation racing a
// confirmation ends one way or the other, never both or neither.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { bookingFixture, createRequest, eur, failure, flightItem, hotelItem, type BookingFixture, type CreateOptions } from "./fixture.js";

let f: BookingFixture;
test.before(async () => {
  f = await bookingFixture();
});
test.after(async () => {
  await f.close();
});

const sellers = () => f.serviceCtx("sellers");

async function paid(o: CreateOptions = {}): Promise<string> {
  const customerId = o.customerId ?? "olga";
  if (o.markdownMinor) f.wallet.setBalance(customerId, f.wallet.balance(customerId) + o.markdownMinor);
  const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest({ customerId, ...o }));
  return reservation!.reservationId;
}

async function confirmed(o: CreateOptions = {}): Promise<string> {
  const id = await paid(o);
  await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: `REF-${id}` });
  return id;
}

const kinds = async (id: string) => (await f.events(id)).map((e) => e.kind);

test("confirm: PAID → CONFIRMED with the seller's reference, ReservationConfirmed published; a repeat answers the same and publishes nothing", async () => {
  const id = await paid();
  const { reservation: r } = await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-42" });
  assert.equal([r!.state, r!.sellerReference], [ReservationState.CONFIRMED, "CASA-42"]);
  const events = await f.events(id);
  assert.equal(events.map((e) => e.kind), ["paid", "confirmed"]);
  assert.equal(events[1]!.reservation, r);
  const again = await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-42" });
  assert.equal(again.reservation, r);
  const otherRef = await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-43" });
  assert.is(otherRef.reservation!.sellerReference, "CASA-42", "the first reference is kept");
  assert.equal(await kinds(id), ["paid", "confirmed"]);
});

test("fail: PAID → FAILED with the reason and what sellers refunded, ReservationFailed published; a repeat publishes nothing", async () => {
  const id = await paid({ amountMinor: 12_000n });
  const req = { reservationId: id, reason: "The room is no longer available.", refunded: eur(12_000n) };
  const { reservation: r } = await f.client.failReservation(sellers(), req);
  assert.equal([r!.state, r!.failureReason, r!.refunded!.amountMinor], [ReservationState.FAILED, req.reason, 12_000n]);
  const again = await f.client.failReservation(sellers(), req);
  assert.equal(again.reservation, r);
  assert.equal(await kinds(id), ["paid", "failed"]);
});

test("fail: a refund larger than the card amount or in another currency is INVALID_ARGUMENT and changes nothing", async () => {
  const id = await paid({ amountMinor: 5_000n });
  const tooMuch = await failure(f.client.failReservation(sellers(), { reservationId: id, reason: "refused", refunded: eur(5_001n) }));
  assert.equal([tooMuch.code, tooMuch.violations.map((v) => v.field)], [Code.InvalidArgument, ["refunded.amount_minor"]]);
  const dollars = await failure(f.client.failReservation(sellers(), { reservationId: id, reason: "refused", refunded: { amountMinor: 10n, currency: "USD" } }));
  assert.equal([dollars.code, dollars.violations.map((v) => v.field)], [Code.InvalidArgument, ["refunded.currency"]]);
  const noReason = await failure(f.client.failReservation(sellers(), { reservationId: id, reason: "" }));
  assert.equal(noReason.violations.map((v) => v.field), ["reason"]);
  assert.is((await f.store.byId(id))!.state, "paid");
  assert.equal(await kinds(id), ["paid"]);
});

test("transitions the state machine does not have are FAILED_PRECONDITION with a sentence, and change nothing", async () => {
  const failedId = await paid();
  await f.client.failReservation(sellers(), { reservationId: failedId, reason: "refused" });
  const confirmedId = await confirmed();
  const cancelledId = await paid();
  await f.client.cancelReservation(f.customer("olga"), { reservationId: cancelledId });
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => f.client.confirmReservation(sellers(), { reservationId: failedId, sellerReference: "X" }), /is failed and cannot be confirmed/],
    [() => f.client.failReservation(sellers(), { reservationId: confirmedId, reason: "late refusal" }), /is confirmed and cannot fail/],
    [() => f.client.confirmReservation(sellers(), { reservationId: cancelledId, sellerReference: "X" }), /cancelled by the customer.*cancel the booking with the seller/],
    [() => f.client.failReservation(sellers(), { reservationId: cancelledId, reason: "refused" }), /cancelled by the customer/],
    [() => f.client.cancelReservation(f.customer("olga"), { reservationId: failedId }), /already refunded: there is nothing to cancel/],
    [() => f.client.quoteCancellation(f.customer("olga"), { reservationId: cancelledId }), /is already cancelled/],
  ];
  const counts = await f.counts();
  for (const [call, message] of cases) {
    const e = await failure(call());
    assert.is(e.code, Code.FailedPrecondition, e.message);
    assert.match(e.message, message);
  }
  assert.equal(await f.counts(), counts);
  const unknown = await failure(f.client.confirmReservation(sellers(), { reservationId: "res_nope", sellerReference: "X" }));
  assert.is(unknown.code, Code.NotFound);
});

test("a FULFILLED reservation cannot be cancelled", async () => {
  const id = await confirmed();
  await f.db.knex("reservations").where({ reservation_id: id }).update({ state: "fulfilled" });
  const e = await failure(f.client.cancelReservation(f.customer("olga"), { reservationId: id }));
  assert.is(e.code, Code.FailedPrecondition);
  assert.match(e.message, /already taken place/);
});

test("cancelling a PAID reservation is free: the quote says so, the cancellation does it, a repeat refunds nothing more", async () => {
  const id = await paid({ amountMinor: 30_000n, markdownMinor: 4_000n });
  const quote = await f.client.quoteCancellation(f.customer("olga"), { reservationId: id });
  assert.equal([quote.fee!.amountMinor, quote.refund!.amountMinor, quote.walletRefund!.amountMinor], [0n, 30_000n, 4_000n]);
  assert.match(quote.policy, /Free cancellation/);
  const { reservation: r } = await f.client.cancelReservation(f.customer("olga"), { reservationId: id });
  assert.equal([r!.state, r!.cancellationFee!.amountMinor, r!.refunded!.amountMinor], [ReservationState.CANCELLED, 0n, 30_000n]);
  const again = await f.client.cancelReservation(f.customer("olga"), { reservationId: id });
  assert.equal(again.reservation, r);
  const events = await f.events(id);
  assert.equal(events.map((e) => e.kind), ["paid", "cancelled"]);
  assert.equal(events[1]!.reservation, r);
  const row = await f.store.byId(id);
  assert.equal([row!.cancelledFrom, row!.walletRefundMinor], ["paid", 4_000n]);
});

const confirmedCases: [string, CreateOptions, { fee: bigint; refund: bigint; wallet: bigint }][] = [
  ["an ordinary confirmed hotel: the fixed fee, the rest and the markdown back", { amountMinor: 30_000n, markdownMinor: 4_000n }, { fee: 2_500n, refund: 27_500n, wallet: 4_000n }],
  ["a confirmed 5-star hotel: non-refundable", { amountMinor: 30_000n, markdownMinor: 4_000n, item: hotelItem({ starRating: 5 }) }, { fee: 30_000n, refund: 0n, wallet: 0n }],
  ["a confirmed premium booking: free", { amountMinor: 30_000n, markdownMinor: 4_000n, item: hotelItem({ starRating: 5, premium: true }) }, { fee: 0n, refund: 30_000n, wallet: 4_000n }],
  ["a confirmed flight cheaper than the fee: the fee is the card amount", { amountMinor: 1_000n, item: flightItem() }, { fee: 1_000n, refund: 0n, wallet: 0n }],
];

for (const [name, options, want] of confirmedCases) {
  test(`cancelling ${name}`, async () => {
    const id = await confirmed(options);
    const quote = await f.client.quoteCancellation(f.customer("olga"), { reservationId: id });
    assert.equal([quote.fee!.amountMinor, quote.refund!.amountMinor, quote.walletRefund!.amountMinor], [want.fee, want.refund, want.wallet]);
    const { reservation: r } = await f.client.cancelReservation(f.customer("olga"), { reservationId: id });
    assert.equal([r!.cancellationFee!.amountMinor, r!.refunded!.amountMinor], [want.fee, want.refund]);
    const row = await f.store.byId(id);
    assert.equal([row!.cancelledFrom, row!.walletRefundMinor], ["confirmed", want.wallet]);
    assert.equal(await kinds(id), ["paid", "confirmed", "cancelled"]);
  });
}

test("a cancellation racing the seller's confirmation: the row lock decides, and the outcome is consistent either way", async () => {
  const outcomes = { cancelledFirst: 0, confirmedFirst: 0 };
  for (let i = 0; i < 12; i++) {
    const id = await paid({ amountMinor: 20_000n });
    const [cancel, confirm] = await Promise.allSettled([
      f.client.cancelReservation(f.customer("olga"), { reservationId: id }),
      f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "RACE" }),
    ]);
    assert.is(cancel.status, "fulfilled", "the customer's cancellation always succeeds");
    const cancelled = cancel.status === "fulfilled" ? cancel.value.reservation! : undefined;
    if (confirm.status === "fulfilled") {
      outcomes.confirmedFirst++;
      assert.is(cancelled!.cancellationFee!.amountMinor, 2_500n, "cancelled after the confirmation: the confirmed policy's fee");
      assert.equal(await kinds(id), ["paid", "confirmed", "cancelled"]);
    } else {
      outcomes.cancelledFirst++;
      assert.is((confirm.reason as { code: number }).code, Code.FailedPrecondition);
      assert.is(cancelled!.cancellationFee!.amountMinor, 0n, "cancelled while PAID: free");
      assert.equal(await kinds(id), ["paid", "cancelled"]);
    }
    assert.is((await f.store.byId(id))!.state, "cancelled");
  }
  assert.is(outcomes.cancelledFirst + outcomes.confirmedFirst, 12);
});

test.run();
