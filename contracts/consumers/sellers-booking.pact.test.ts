// sellers → booking: how sellers' saga step (services/sellers/bookings.ts,
// on ReservationPaid) tells booking what the seller said —
// ConfirmReservation with the seller's reference, or FailReservation with a
// reason for the customer and what it refunded — and, before retrying a
// seller that failed, asks GetReservation whether the reservation is still
// live; written by running that handler (sellers-saga.ts: its store, the
// real adapters before fake sellers on real HTTP servers) with booking over
// Connect JSON against Pact's mock.
//
// All carry sellers' service token (GetReservation admits sellers by name;
// the others, services only). The reservation is booking's: the state makes
// one and the verifier sends its id. Of GetReservation's answer sellers reads
// the state alone: CANCELLED (or FAILED) ends the saga unbooked, anything
// else goes on to the seller. Of the others it reads nothing; it handles
// FAILED_PRECONDITION from both (the customer cancelled while the seller was
// booking): the saga finishes as "cancelled" instead of retrying.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { BookingService, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { bookingsFixture, type BookingsFixture } from "../../services/sellers/bookings.fixture.js";
import { connectError, connectRequest, connectResponse, consumerPact, int64String, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { bookWithSeller, paidStay } from "./sellers-saga.js";

const { fromProviderState, like } = Matchers;
let pact: ConsumerPact;
let f: BookingsFixture;

const reservationFromState = (r: Reservation) => fromProviderState("${reservationId}", r.reservationId);
const paidState = { customerId: "c-61", sellerId: "casa", amountMinor: "31500", currency: "EUR" };

/** ConfirmReservation as sellers sends it; the seller's reference is whatever the seller gave. */
const confirmRequest = (r: Reservation) =>
  withBearer(
    connectRequest(BookingService.method.confirmReservation, { reservationId: r.reservationId, sellerReference: "CASA-000001" }, () => ({
      reservationId: reservationFromState(r),
      sellerReference: like("CASA-000001"),
    })),
  );

/** FailReservation as sellers sends it after refunding the whole card amount. */
const failRequest = (r: Reservation) =>
  withBearer(
    connectRequest(
      BookingService.method.failReservation,
      { reservationId: r.reservationId, reason: "", refunded: { amountMinor: 31_500n, currency: "EUR" } },
      () => ({
        reservationId: reservationFromState(r),
        reason: like("The hotel could not confirm your room: No rooms left for these dates. Your card payment has been refunded in full."),
        refunded: { amountMinor: int64String("31500"), currency: "EUR" },
      }),
    ),
  );

/** GetReservation as sellers sends it before a retry; of the answer it reads the state. */
const getRequest = (r: Reservation) =>
  withBearer(connectRequest(BookingService.method.getReservation, { reservationId: r.reservationId }, () => ({ reservationId: reservationFromState(r) })));
const stateResponse = (state: string) => connectResponse({ reservation: { state } });

/** The first attempt failed (the seller was down): the handler now delivering the message is a retry. */
const failedOnce = async (r: Reservation) => {
  await f.store.startAttempt(r.reservationId, "casa");
  await f.store.recordFailure(r.reservationId, "UNAVAILABLE: casa could not be reached");
};

const getOver = (url: string) => ({ booking: { getReservation: overWire(BookingService, url).getReservation } });
const confirmOver = (url: string) => ({ booking: { confirmReservation: overWire(BookingService, url).confirmReservation } });
const failOver = (url: string) => ({ booking: { failReservation: overWire(BookingService, url).failReservation } });
/** The seller (casa's fake) refuses this reservation. */
const refused = (r: Reservation) => (f.sellers.casa.ledger.refuse = (ref) => (ref === r.reservationId ? "No rooms left for these dates." : undefined));

test.before(async () => {
  pact = await consumerPact("sellers", "booking");
  f = await bookingsFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("the seller booked it: ConfirmReservation with its reference; the saga is confirmed", async () => {
  const r = paidStay(1, "c-61");
  const outcome = await pact
    .interaction()
    .given("a reservation is PAID", paidState)
    .uponReceiving("a confirmation of a paid reservation")
    .withRequest(...confirmRequest(r))
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => bookWithSeller(f, r, confirmOver(mock.url)));
  assert.is(outcome, "confirmed");
});

test("booked, but the customer cancelled meanwhile: FAILED_PRECONDITION finishes the saga as cancelled", async () => {
  const r = paidStay(2, "c-61");
  const outcome = await pact
    .interaction()
    .given("a reservation was cancelled by its customer", paidState)
    .uponReceiving("a confirmation of a cancelled reservation")
    .withRequest(...confirmRequest(r))
    .willRespondWith(...connectError(Code.FailedPrecondition))
    .executeTest((mock) => bookWithSeller(f, r, confirmOver(mock.url)));
  assert.is(outcome, "cancelled");
});

test("the seller refused: refunded, then FailReservation with the customer's reason and the refund; the saga failed", async () => {
  const r = paidStay(3, "c-61");
  refused(r);
  const outcome = await pact
    .interaction()
    .given("a reservation is PAID", paidState)
    .uponReceiving("a failure of a paid reservation the seller refused, refunded in full")
    .withRequest(...failRequest(r))
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => bookWithSeller(f, r, failOver(mock.url)));
  assert.is(outcome, "failed");
  assert.equal(f.peers.of(r.reservationId).map(([method]) => method), ["refund"], "the refund (in memory) came first");
});

test("refused, but the customer cancelled meanwhile: FAILED_PRECONDITION finishes the saga as cancelled", async () => {
  const r = paidStay(4, "c-61");
  refused(r);
  const outcome = await pact
    .interaction()
    .given("a reservation was cancelled by its customer", paidState)
    .uponReceiving("a failure of a cancelled reservation")
    .withRequest(...failRequest(r))
    .willRespondWith(...connectError(Code.FailedPrecondition))
    .executeTest((mock) => bookWithSeller(f, r, failOver(mock.url)));
  assert.is(outcome, "cancelled");
});

test("a retry after the seller failed: GetReservation says PAID, so the seller is asked again and books it", async () => {
  const r = paidStay(5, "c-61");
  await failedOnce(r);
  const outcome = await pact
    .interaction()
    .given("a reservation is PAID", paidState)
    .uponReceiving("a look at a paid reservation before retrying its seller")
    .withRequest(...getRequest(r))
    .willRespondWith(...stateResponse("RESERVATION_STATE_PAID"))
    .executeTest((mock) => bookWithSeller(f, r, getOver(mock.url)));
  assert.is(outcome, "confirmed");
  assert.ok(f.sellers.casa.ledger.bookings.has(r.reservationId), "booked on the retry");
});

test("a retry after the seller failed: GetReservation says CANCELLED, so the seller is not asked; the saga finishes as cancelled, unbooked", async () => {
  const r = paidStay(6, "c-61");
  await failedOnce(r);
  const outcome = await pact
    .interaction()
    .given("a reservation was cancelled by its customer", paidState)
    .uponReceiving("a look at a cancelled reservation before retrying its seller")
    .withRequest(...getRequest(r))
    .willRespondWith(...stateResponse("RESERVATION_STATE_CANCELLED"))
    .executeTest((mock) => bookWithSeller(f, r, getOver(mock.url)));
  assert.is(outcome, "cancelled");
  assert.equal([(await f.store.get(r.reservationId))?.status, f.sellers.casa.ledger.bookings.has(r.reservationId)], ["abandoned", false]);
  assert.equal(f.peers.of(r.reservationId), [], "no confirmation, refund or failure");
});

test("the pact is the committed contracts/pacts/sellers-booking.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
