// web → booking: what the BFF's trip pages (services/web/trips.ts: ListTrips,
// GetTrip, QuoteCancellation, CancelTrip) need from BookingService, written
// by running the BFF (web-harness.ts) for a signed-in browser with the
// booking method under test over Connect JSON against Pact's mock server.
//
// Every call carries the CUSTOMER's own token, which the BFF forwards
// (booking answers a customer only their own reservations): in the
// provider's verification, the token of the state's customer
// (withCustomerBearer). ListReservations and GetReservation: each
// reservation's id, payment id, state, item (title, dates), amount and times,
// which the BFF makes trips of. QuoteCancellation: the fee, what goes back to
// the card and the policy in words. CancelReservation: the reservation
// cancelled, with its fee and refund. CountReservationsByState (the Operator
// page's chart, services/web/operator.ts) carries the OPERATOR's token and
// reads each bucket's start. Reservation ids are booking's: the
// states answer them, the verifier sends them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { connectRequest, connectResponse, consumerPact, int64String, Matchers, withCustomerBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { withBff, type Wired } from "./web-harness.js";

const { eachLike, fromProviderState, integer, like, regex } = Matchers;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const RESERVATION_ID = "res_abcdefghijklmnopqrstuvwxyz";
const money = (amountMinor: string) => ({ amountMinor: int64String(amountMinor), currency: "EUR" });
const date = (year: number, month: number, d: number) => ({ year: integer(year), month: integer(month), day: integer(d) });
let pact: ConsumerPact;

/** A reservation as the trip pages show it, in `state`. */
const reservation = (state: string) => ({
  reservationId: regex(/^res_[a-z2-7]{26}$/, RESERVATION_ID),
  paymentId: regex(/^pay_\S+$/, "pay_6f1c2a9e0b4d4c7a8e3f5d2b1a0c9e8f"),
  state: regex(new RegExp(`^${state}$`), state),
  item: {
    title: like("Hotel Aurora, Lisbon — Double room, 3 nights"),
    hotelStay: { checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 13) },
  },
  amount: money("30000"),
  createTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z"),
  updateTime: regex(RFC3339_UTC, "2027-02-01T10:00:05Z"),
});
const PAID = { customerId: "c-101", sellerId: "casa", amountMinor: "30000", currency: "EUR" };
const CONFIRMED = { ...PAID, customerId: "c-102" };
/** The reservation the state made (booking's id). */
const fromState = () => ({ reservationId: fromProviderState("${reservationId}", RESERVATION_ID) });

/** What the BFF answers `customerId`'s browser for `method`, with booking's `wired` methods over the wire. */
const bffAnswers = (wired: Wired["booking"], customerId: string, method: string, body: unknown) =>
  withBff({ booking: wired ?? {} }, async (bff) => {
    const answer = await (await bff.signedIn(customerId)).call(method, body);
    if (answer.status !== 200) throw new Error(`${method} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    // any: the BFF's JSON as the browser reads it.
    return answer.body as any;
  });

test.before(async () => {
  pact = await consumerPact("web", "booking");
});
test.after(async () => {
  await pact?.close();
});

test("My trips: the customer's reservations, newest first, as trips", async () => {
  const answer = await pact
    .interaction()
    .given("a reservation is PAID", PAID)
    .uponReceiving("the first page of a customer's reservations, from the web")
    .withRequest(...withCustomerBearer(connectRequest(BookingService.method.listReservations, { pageSize: 20 })))
    .willRespondWith(...connectResponse({ reservations: eachLike(reservation("RESERVATION_STATE_PAID")) }))
    .executeTest((mock) =>
      bffAnswers({ listReservations: overWire(BookingService, mock.url).listReservations }, PAID.customerId, "ListTrips", { pageSize: 20 }),
    );
  const trip = answer.trips[0];
  assert.equal([trip.reservationId, trip.state, trip.reservationState, trip.amount.amountMinor], [RESERVATION_ID, "TRIP_STATE_PAID", "RESERVATION_STATE_PAID", "30000"]);
});

test("a trip by its reservation id", async () => {
  const answer = await pact
    .interaction()
    .given("a reservation is PAID", PAID)
    .uponReceiving("a customer's look at their reservation, from the web")
    .withRequest(...withCustomerBearer(connectRequest(BookingService.method.getReservation, { reservationId: RESERVATION_ID }, fromState)))
    .willRespondWith(...connectResponse({ reservation: reservation("RESERVATION_STATE_PAID") }))
    .executeTest((mock) =>
      bffAnswers({ getReservation: overWire(BookingService, mock.url).getReservation }, PAID.customerId, "GetTrip", { reservationId: RESERVATION_ID }),
    );
  assert.equal([answer.trip.reservationId, answer.trip.state, answer.trip.item.title], [RESERVATION_ID, "TRIP_STATE_PAID", "Hotel Aurora, Lisbon — Double room, 3 nights"]);
});

test("the cancel dialog: what cancelling a confirmed stay costs now", async () => {
  const answer = await pact
    .interaction()
    .given("a reservation is CONFIRMED", CONFIRMED)
    .uponReceiving("a cancellation quote for a customer's confirmed stay, from the web")
    .withRequest(...withCustomerBearer(connectRequest(BookingService.method.quoteCancellation, { reservationId: RESERVATION_ID }, fromState)))
    .willRespondWith(...connectResponse({ fee: money("2500"), refund: money("27500"), policy: like("A fixed fee of EUR 25.00 is kept; the rest goes back to the card.") }))
    .executeTest((mock) =>
      bffAnswers({ quoteCancellation: overWire(BookingService, mock.url).quoteCancellation }, CONFIRMED.customerId, "QuoteCancellation", {
        reservationId: RESERVATION_ID,
      }),
    );
  assert.equal([answer.fee.amountMinor, answer.refund.amountMinor], ["2500", "27500"]);
  assert.ok(answer.policy);
});

test("cancelling a confirmed stay: the trip comes back cancelled, with its fee and refund", async () => {
  const answer = await pact
    .interaction()
    .given("a reservation is CONFIRMED", CONFIRMED)
    .uponReceiving("a cancellation of a customer's confirmed stay, from the web")
    .withRequest(...withCustomerBearer(connectRequest(BookingService.method.cancelReservation, { reservationId: RESERVATION_ID }, fromState)))
    .willRespondWith(
      ...connectResponse({
        reservation: { ...reservation("RESERVATION_STATE_CANCELLED"), cancellationFee: money("2500"), refunded: money("27500") },
      }),
    )
    .executeTest((mock) =>
      bffAnswers({ cancelReservation: overWire(BookingService, mock.url).cancelReservation }, CONFIRMED.customerId, "CancelTrip", {
        reservationId: RESERVATION_ID,
      }),
    );
  assert.equal(
    [answer.trip.state, answer.trip.cancellationFee.amountMinor, answer.trip.refunded.amountMinor],
    ["TRIP_STATE_CANCELLED", "2500", "27500"],
  );
});

test("the Operator page's chart: reservations per hour of the last 2 hours, asked with the operator's own token", async () => {
  const answer = await pact
    .interaction()
    .given("a person with the operator role is signed in", { customerId: "c-301" })
    .uponReceiving("an operator's look at the bookings by state over time, from the web")
    .withRequest(...withCustomerBearer(connectRequest(BookingService.method.countReservationsByState, { windowHours: 2, bucketMinutes: 60 })))
    .willRespondWith(
      // Counts of zero are left out of the JSON (proto3): only the buckets' starts are always there.
      ...connectResponse({ buckets: eachLike({ startTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z") }, 2), bucketMinutes: 60 }),
    )
    .executeTest((mock) =>
      withBff({ booking: { countReservationsByState: overWire(BookingService, mock.url).countReservationsByState } }, async (bff) =>
        (await bff.signedInOperator("c-301")).call("GetOperatorBookingStats", { windowHours: 2, bucketMinutes: 60 }),
      ),
    );
  assert.is(answer?.status, 200, JSON.stringify(answer?.body));
  assert.equal([answer?.body.bucketMinutes, answer?.body.buckets.length], [60, 2]);
});

test("the pact is the committed contracts/pacts/web-booking.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
