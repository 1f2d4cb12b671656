// Saga step 4 on real PostgreSQL through the real bus: ReservationPaid on
// "booking.reservations" → the seller (a fake on a real HTTP server, behind
// the real adapter and its breaker) books it under the reservation id →
// booking.ConfirmReservation; or, refused or down past the deadline, →
// payment.Refund then booking.FailReservation, in that order. Booking and
// payment are fakes recording each call with the principal it carried.
// Redeliveries and crashes never book twice and always finish the saga.
// ReservationCancelled, or a confirmation refused because the customer
// cancelled meanwhile, cancels the booking with the seller by our ref, once.
// Each retry first asks booking whether the reservation is still live: one
// cancelled while the seller was failing is never booked.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { failedPrecondition, unavailable } from "../../endpoints/errors.js";
import { silentContext } from "../../endpoints/testing.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { ReservationState, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { until } from "../../platform/processes.testing.js";
import type { SellerBooking, SellerBookingStore } from "./booking-store.js";
import { BOOKINGS_GROUP } from "./bookings.js";
import { bookingsFixture, DEADLINE_MS, flightItem, hotelItem, paidReservation, type BookingsFixture, type FakeBookingSeller } from "./bookings.fixture.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { topicOf } from "../../endpoints/bus.js";

let f: BookingsFixture;

test.before(async () => {
  f = await bookingsFixture();
});
test.after(() => f.close());
test.before.each(() => {
  f.handler = f.handlerWith();
  for (const k of Object.keys(f.peers.fail)) delete f.peers.fail[k as keyof typeof f.peers.fail];
  for (const s of Object.values(f.sellers)) {
    s.fake.mode = { kind: "normal" };
    s.ledger.refuse = () => undefined;
  }
});

/** The booking once its saga finished (outcome recorded with the inbox mark). */
const finished = (r: Reservation) =>
  until(`the saga of ${r.reservationId} to finish`, async () => {
    const b = await f.store.get(r.reservationId);
    return b?.outcome ? b : undefined;
  });

/** The bus has nothing left for this reservation in the group (handled or given up). */
const drained = (r: Reservation) =>
  until(`no delivery left for ${r.reservationId}`, async () => {
    const { rows } = await f.busDb.knex.raw(`select count(*)::int as n from bus.deliveries where group_name = ? and key = ?`, [BOOKINGS_GROUP, r.reservationId]);
    return rows[0].n === 0 ? true : undefined;
  });

/** Requests the seller got for this ref (repeats included). */
const requestsFor = (s: FakeBookingSeller, r: Reservation) => s.fake.requests.filter((q) => q.body.toString().includes(r.reservationId)).length;

const summary = (b: SellerBooking) => [b.status, b.outcome, b.attempts];
const money = (m: unknown) => {
  const { amountMinor, currency } = m as { amountMinor: bigint; currency: string };
  return [amountMinor, currency];
};

test("paid → each seller books it under the reservation id, in its own ids → ConfirmReservation with the seller's reference, as the sellers service", async () => {
  const [stay, flight, pushed] = [paidReservation(hotelItem("casa")), paidReservation(flightItem()), paidReservation(hotelItem("wanderly"))];
  for (const r of [stay, flight, pushed]) await f.publishPaid(r);
  for (const r of [stay, flight, pushed]) assert.equal(summary(await finished(r)), ["confirmed", "confirmed", 1]);

  const casa = f.sellers.casa.ledger.bookings.get(stay.reservationId)!;
  assert.equal(casa.body, { ref: stay.reservationId, hotel: "P000001", room: "DBL-STD", checkIn: "2026-12-01", checkOut: "2026-12-04" });
  assert.equal(f.sellers.skylark.ledger.bookings.get(flight.reservationId)!.body, { booking_ref: flight.reservationId, flights: ["SL100-2026-12-01"] });
  assert.equal(f.sellers.wanderly.ledger.bookings.get(pushed.reservationId)!.body, {
    request_id: pushed.reservationId, product: "P000001:DBL-STD", check_in: "2026-12-01", check_out: "2026-12-04",
  });

  assert.equal(f.peers.of(stay.reservationId), [["confirmReservation", { reservationId: stay.reservationId, sellerReference: casa.reference }]]);
  assert.equal(f.peers.of(flight.reservationId)[0]![1].sellerReference, f.sellers.skylark.ledger.bookings.get(flight.reservationId)!.reference);
  assert.equal((await f.store.get(stay.reservationId))!.reference, casa.reference);
  assert.ok(f.peers.calls.every((c) => c.principal === f.principal), "every RPC carries the sellers service principal");
});

test("refused → Refund of the whole card amount with key refund:fail:<rid>, THEN FailReservation with a plain reason and the refund", async () => {
  const r = paidReservation(hotelItem("wanderly"));
  f.sellers.wanderly.ledger.refuse = () => "No rooms left for these dates.";
  await f.publishPaid(r);
  assert.equal(summary(await finished(r)), ["refused", "failed", 1]);
  const calls = f.peers.of(r.reservationId);
  assert.equal(calls.map(([m]) => m), ["refund", "failReservation"]);
  const [refund, fail] = [calls[0]![1], calls[1]![1]];
  assert.equal([refund.idempotencyKey, refund.paymentId, money(refund.amount), refund.reason], [
    `refund:fail:${r.reservationId}`, r.paymentId, [31_500n, "EUR"], "seller refused the booking",
  ]);
  assert.equal([fail.reservationId, fail.reason, money(fail.refunded)], [
    r.reservationId,
    "The hotel could not confirm your room: No rooms left for these dates. Your card payment has been refunded in full.",
    [31_500n, "EUR"],
  ]);
});

test("seller failing within the deadline → retried by the bus with backoff until it books, booking asked before each retry (an error there retries all the same); nothing refunded", async () => {
  const r = paidReservation(hotelItem("casa"));
  f.sellers.casa.fake.mode = { kind: "fail" };
  let reads = 0;
  f.peers.fail.getReservation = () => (++reads === 1 ? unavailable("booking is restarting") : undefined);
  await f.publishPaid(r);
  await until("three failed calls", () => (requestsFor(f.sellers.casa, r) >= 3 ? true : undefined));
  const failing = (await f.store.get(r.reservationId))!;
  assert.equal([failing.status, failing.outcome], ["pending", null]);
  assert.match(failing.lastError ?? "", /HTTP 500/);
  f.sellers.casa.fake.mode = { kind: "normal" };
  const done = await finished(r);
  assert.equal([done.status, done.outcome], ["confirmed", "confirmed"]);
  assert.ok(done.attempts >= 4, `${done.attempts} calls`);
  const methods = f.peers.of(r.reservationId).map(([m]) => m);
  assert.equal(methods, [...Array<string>(done.attempts - 1).fill("getReservation"), "confirmReservation"], "asked before each retry, not before the first attempt");
  assert.equal(f.peers.of(r.reservationId)[0]![1], { reservationId: r.reservationId });
});

test("reservation cancelled while the seller was failing → the next retry asks booking, abandons it unbooked, settles the paid message; the queued cancellation finds nothing booked once the seller recovers", async () => {
  const r = paidReservation(hotelItem("casa"));
  const ledger = f.sellers.casa.ledger;
  const bookingRequests = () => f.sellers.casa.fake.requests.filter((q) => q.path === "/xml/bookings" && q.body.toString().includes(r.reservationId)).length;
  f.sellers.casa.fake.mode = { kind: "fail" };
  const paidId = await f.publishPaid(r);
  await until("a failed booking call", () => (bookingRequests() >= 1 ? true : undefined));
  // The customer cancels: booking says CANCELLED and publishes ReservationCancelled, queued behind the retried ReservationPaid.
  f.peers.states.set(r.reservationId, ReservationState.CANCELLED);
  const cancelId = await f.publishCancelled(r);

  const done = await finished(r);
  assert.equal([done.status, done.outcome, done.reason], ["abandoned", "cancelled", "the reservation was cancelled while the seller was failing"]);
  assert.is(await f.store.isProcessed({ group: BOOKINGS_GROUP, messageId: paidId }), true, "the paid message is settled");
  assert.is(bookingRequests(), done.attempts, "one booking request per attempt, none after booking said cancelled");

  f.sellers.casa.fake.mode = { kind: "normal" };
  assert.is(await until("the cancellation to be handled", async () => (await f.store.get(r.reservationId))?.cancelResult ?? undefined), "not_booked");
  await drained(r);
  assert.is(await f.store.isProcessed({ group: BOOKINGS_GROUP, messageId: cancelId }), true, "the cancellation is consumed");
  assert.is(ledger.bookings.has(r.reservationId), false, "zero bookings at the seller");
  assert.is(bookingRequests(), done.attempts, "the recovered seller was not asked to book");
  assert.is(ledger.cancelled.has(r.reservationId), false);
  const methods = f.peers.of(r.reservationId).map(([m]) => m);
  assert.equal(methods, Array<string>(done.attempts).fill("getReservation"), "no confirmation, refund or failure: booking's settlement refunds the cancellation");
});

test("seller down past the deadline (from the reservation's create_time) → Refund, then FailReservation; the seller never booked it", async () => {
  const r = paidReservation(hotelItem("wanderly"), Date.now() - DEADLINE_MS + 300);
  f.sellers.wanderly.fake.mode = { kind: "down" };
  await f.publishPaid(r);
  const done = await finished(r);
  assert.equal([done.status, done.outcome], ["abandoned", "failed"]);
  assert.ok(done.attempts >= 1);
  const reads = Array<string>(done.attempts - 1).fill("getReservation");
  assert.equal(f.peers.of(r.reservationId).map(([m]) => m), [...reads, "refund", "failReservation"], "each retry asked booking first (still PAID)");
  const calls = f.peers.of(r.reservationId).slice(reads.length);
  assert.is(calls[0]![1].reason, "seller unavailable past the booking deadline");
  assert.is(calls[1]![1].reason, "We could not reach the hotel to confirm your room in time. Your card payment has been refunded in full.");
  assert.is(f.sellers.wanderly.ledger.bookings.has(r.reservationId), false);
});

test("a Refund that fails is retried before FailReservation is ever called", async () => {
  const r = paidReservation(flightItem());
  f.sellers.skylark.ledger.refuse = () => "Flight full";
  let refunds = 0;
  f.peers.fail.refund = () => (++refunds === 1 ? unavailable("payment is restarting") : undefined);
  await f.publishPaid(r);
  assert.equal(summary(await finished(r)), ["refused", "failed", 1]);
  assert.equal(f.peers.of(r.reservationId).map(([m]) => m), ["refund", "refund", "failReservation"]);
  assert.match(String(f.peers.of(r.reservationId)[2]![1].reason), /^The airline could not confirm your seats: Flight full\./);
  assert.is(requestsFor(f.sellers.skylark, r), 1, "the refusal was recorded: the seller is not asked again");
});

test("redelivery of a handled message, a second ReservationPaid and other events change nothing", async () => {
  const r = paidReservation(hotelItem("casa"));
  const messageId = await f.publishPaid(r);
  await finished(r);
  const [calls, requests] = [f.peers.calls.length, f.sellers.casa.fake.requests.length];

  const paid = create(ReservationEventSchema, { event: { case: "paid", value: { reservation: r } } });
  await f.handler(silentContext(), paid, { messageId, topic: "booking.reservations", key: r.reservationId, group: BOOKINGS_GROUP, attempt: 2, publishedAt: new Date() });
  await f.publishPaid(r);
  await f.bus.publish(postgresOutbox(f.busDb.knex), topicOf(ReservationEventSchema), r.reservationId, create(ReservationEventSchema, { event: { case: "confirmed", value: { reservation: r } } }));
  await drained(r);

  assert.equal([f.peers.calls.length, f.sellers.casa.fake.requests.length], [calls, requests]);
  const { rows } = await f.db.knex.raw(`select count(*)::int as n from inbox where group_name = ?`, [BOOKINGS_GROUP]);
  assert.ok(rows[0].n >= 2, "both ReservationPaid messages are in the inbox");
});

test("a crash between the seller's answer and its commit asks the seller again with the same ref: one booking, one confirmation", async () => {
  const r = paidReservation(hotelItem("casa"));
  const booked = f.sellers.casa.ledger.bookings.size;
  const crashing = Object.create(f.store) as SellerBookingStore;
  const crashes = { decide: 0, finish: 0 };
  const crash = () => Promise.reject(new Error("simulated crash"));
  crashing.decide = (...args) => (++crashes.decide === 1 ? crash() : f.store.decide(...args));
  crashing.finish = (...args) => (++crashes.finish === 1 ? crash() : f.store.finish(...args));
  f.handler = f.handlerWith({ store: crashing });
  await f.publishPaid(r);
  const done = await finished(r);

  assert.equal(summary(done), ["confirmed", "confirmed", 2]);
  assert.is(requestsFor(f.sellers.casa, r), 2, "asked again after the first crash, not after the second");
  assert.is(f.sellers.casa.ledger.bookings.size, booked + 1, "one distinct ref booked");
  const reference = f.sellers.casa.ledger.bookings.get(r.reservationId)!.reference;
  assert.equal(f.peers.of(r.reservationId), [
    ["getReservation", { reservationId: r.reservationId }],
    ["confirmReservation", { reservationId: r.reservationId, sellerReference: reference }],
    ["confirmReservation", { reservationId: r.reservationId, sellerReference: reference }],
  ], "the redelivery after the first crash is a retry (booking asked first); the crash after ConfirmReservation confirms again (idempotent), with the same reference");
});

test("ConfirmReservation FAILED_PRECONDITION (cancelled while the seller booked) → cancelled with the seller by our ref, finished, nothing refunded", async () => {
  const r = paidReservation(hotelItem("casa"));
  f.peers.fail.confirmReservation = () => failedPrecondition("the reservation is CANCELLED");
  await f.publishPaid(r);
  const done = await finished(r);
  assert.equal(summary(done), ["confirmed", "cancelled", 1]);
  assert.is(done.cancelResult, "cancelled");
  assert.ok(f.sellers.casa.ledger.cancelled.has(r.reservationId), "no live booking left at the seller");
  await drained(r);
  assert.equal(f.peers.of(r.reservationId).map(([m]) => m), ["confirmReservation"], "the policy's refund is booking's settlement, not ours");

  // ReservationCancelled comes after (same key): the booking is cancelled already, the seller is not asked again.
  const asked = f.sellers.casa.ledger.cancelRequests;
  await f.publishCancelled(r);
  await drained(r);
  assert.is(f.sellers.casa.ledger.cancelRequests, asked);
});

for (const seller of ["skylark", "casa", "wanderly"] as const) {
  test(`${seller}: ReservationCancelled of a confirmed booking cancels it with the seller once, whatever is redelivered`, async () => {
    const r = paidReservation(seller === "skylark" ? flightItem() : hotelItem(seller));
    await f.publishPaid(r);
    await finished(r);
    const ledger = f.sellers[seller].ledger;
    const cancelledId = await f.publishCancelled(r);
    const cancelled = await until("the cancellation to be recorded", async () => (await f.store.get(r.reservationId))?.cancelResult ?? undefined);
    assert.is(cancelled, "cancelled");
    assert.ok(ledger.cancelled.has(r.reservationId));
    await drained(r);
    const asked = ledger.cancelRequests;

    // Redelivered (the same message), and a second ReservationCancelled: nothing more at the seller.
    const event = create(ReservationEventSchema, { event: { case: "cancelled", value: { reservation: r } } });
    await f.handler(silentContext(), event, { messageId: cancelledId, topic: "booking.reservations", key: r.reservationId, group: BOOKINGS_GROUP, attempt: 2, publishedAt: new Date() });
    await f.publishCancelled(r);
    await drained(r);
    assert.is(ledger.cancelRequests, asked);
  });
}

test("ReservationCancelled of a refused booking asks the seller nothing; a cancellation the seller fails is retried until it holds", async () => {
  const refused = paidReservation(hotelItem("wanderly"));
  f.sellers.wanderly.ledger.refuse = () => "Sold out";
  await f.publishPaid(refused);
  await finished(refused);
  const asked = f.sellers.wanderly.ledger.cancelRequests;
  await f.publishCancelled(refused);
  await drained(refused);
  assert.is(f.sellers.wanderly.ledger.cancelRequests, asked, "never booked: nothing to cancel");
  assert.is((await f.store.get(refused.reservationId))!.cancelResult, null);

  f.sellers.wanderly.ledger.refuse = () => undefined;
  const r = paidReservation(hotelItem("wanderly"));
  await f.publishPaid(r);
  await finished(r);
  f.sellers.wanderly.fake.mode = { kind: "fail" };
  await f.publishCancelled(r);
  await until("the seller to be asked", async () => (f.sellers.wanderly.fake.requests.some((q) => q.path === "/api/bookings/cancel" && q.body.toString().includes(r.reservationId)) ? true : undefined));
  assert.is((await f.store.get(r.reservationId))!.cancelResult, null, "not recorded while the seller fails");
  f.sellers.wanderly.fake.mode = { kind: "normal" };
  assert.is(await until("the retried cancellation", async () => (await f.store.get(r.reservationId))?.cancelResult ?? undefined), "cancelled");
  assert.ok(f.sellers.wanderly.ledger.cancelled.has(r.reservationId));
});

test("a seller we do not know refuses: the payment is refunded and the reservation failed", async () => {
  const r = paidReservation({ ...hotelItem("casa"), sellerId: "nobody" });
  await f.publishPaid(r);
  assert.equal(summary(await finished(r)), ["refused", "failed", 1]);
  assert.equal(f.peers.of(r.reservationId).map(([m]) => m), ["refund", "failReservation"]);
});

test.run();
