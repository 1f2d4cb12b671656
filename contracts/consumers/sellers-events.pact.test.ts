// sellers ← booking's events: what sellers' booking consumer
// (services/sellers/bookings.ts, group "sellers-bookings" on
// "booking.reservations") needs of a ReservationPaid, written by running that
// very handler on the message Pact hands over, with the fixture of its own
// tests (bookings.fixture.ts): its real store, the real seller adapters
// against fake sellers on real HTTP servers, booking and payment as fakes.
//
// Sellers reads the reservation's id (its booking ref with the seller and
// the key of every call), the item's seller_id (which seller), the stay's
// hotel_id (a catalog id "h-<seller's code>"), room_id and dates, or the
// trip's outbound flight id ("<number>-<local date>"), the payment_id and
// the card amount (refunded when the seller refuses) and create_time (from
// which the booking deadline runs). Of a ReservationCancelled it reads the
// reservation's id alone: the booking it cancels with the seller by that ref.
// Other events are not read.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { silentContext } from "../../endpoints/testing.js";
import { create } from "@bufbuild/protobuf";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { BOOKINGS_GROUP } from "../../services/sellers/bookings.js";
import { bookingsFixture, hotelItem, paidReservation, type BookingsFixture } from "../../services/sellers/bookings.fixture.js";
import { dateTemplate, delivered, messagePact, timestampString, type MessagePact, type PactMessage } from "../messages.js";
import { Matchers } from "../pact.js";
import { money, onReservations, reservationId } from "./booking-event-shapes.js";

const { like, regex } = Matchers;
const FLIGHT_ID = /^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/;

let pact: MessagePact;
let f: BookingsFixture;

test.before(async () => {
  pact = await messagePact("sellers", "booking-events");
  f = await bookingsFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

/** A ReservationPaid in protobuf JSON, naming only what sellers reads of it. */
function paid(example: { reservationId: string; paymentId: string; sellerId: string; amountMinor: string }, kind: Record<string, unknown>) {
  return {
    paid: {
      reservation: {
        reservationId: reservationId(example.reservationId),
        paymentId: like(example.paymentId),
        item: { sellerId: like(example.sellerId), ...kind },
        amount: money(example.amountMinor),
        createTime: timestampString("2027-03-01T10:00:00.123Z"),
      },
    },
  };
}

/** Sellers' own handler on the message Pact hands over. */
async function sellersHandle(m: PactMessage) {
  const { message, meta } = delivered(ReservationEventSchema, m, BOOKINGS_GROUP);
  await f.handler(silentContext(), message, meta);
}

test("a reservation paid for a hotel stay: sellers books the room with its seller under the reservation id and confirms it", async () => {
  const rid = "res_hotelstaypaidexample";
  await pact
    .interaction()
    .given("a customer paid for a hotel stay", {
      sellerId: "casa",
      hotelId: "h-P000001",
      roomId: "DBL-STD",
      checkIn: "2027-03-10",
      checkOut: "2027-03-12",
      amountMinor: "24000",
    })
    .expectsToReceive("a reservation paid for a hotel stay", (m) =>
      m
        .withJSONContent(
          paid(
            { reservationId: rid, paymentId: "pay_hotel", sellerId: "casa", amountMinor: "24000" },
            {
              hotelStay: {
                hotelId: regex(/^h-\S+$/, "h-P000001"),
                roomId: like("DBL-STD"),
                checkIn: dateTemplate("2027-03-10"),
                checkOut: dateTemplate("2027-03-12"),
              },
            },
          ),
        )
        .withMetadata(onReservations(rid)),
    )
    .executeTest(sellersHandle);

  const booked = f.sellers.casa.ledger.bookings.get(rid);
  assert.equal(booked?.body, { ref: rid, hotel: "P000001", room: "DBL-STD", checkIn: "2027-03-10", checkOut: "2027-03-12" });
  assert.equal(f.peers.of(rid), [["confirmReservation", { reservationId: rid, sellerReference: booked!.reference }]]);
  assert.equal((await f.store.get(rid))?.outcome, "confirmed");
});

test("a reservation paid for a flight the airline refuses: the card amount refunded on the payment, then the reservation failed", async () => {
  const rid = "res_flightpaidexample";
  f.sellers.skylark.ledger.refuse = (ref) => (ref === rid ? "Flight full" : undefined);
  await pact
    .interaction()
    .given("a customer paid for a flight", { sellerId: "skylark", outboundFlightId: "SL123-2027-03-10", amountMinor: "8225" })
    .expectsToReceive("a reservation paid for a flight", (m) =>
      m
        .withJSONContent(
          paid(
            { reservationId: rid, paymentId: "pay_flight", sellerId: "skylark", amountMinor: "8225" },
            { flightTrip: { outboundFlightId: regex(FLIGHT_ID, "SL123-2027-03-10") } },
          ),
        )
        .withMetadata(onReservations(rid)),
    )
    .executeTest(sellersHandle);

  assert.equal(f.sellers.skylark.ledger.bookings.get(rid)?.body, { booking_ref: rid, flights: ["SL123-2027-03-10"] });
  const calls = f.peers.of(rid);
  assert.equal(calls.map(([method]) => method), ["refund", "failReservation"]);
  const [refund, fail] = [calls[0]![1], calls[1]![1]];
  assert.equal([refund.paymentId, refund.idempotencyKey, (refund.amount as { amountMinor: bigint }).amountMinor], ["pay_flight", `refund:fail:${rid}`, 8225n]);
  assert.equal([fail.reservationId, (fail.refunded as { amountMinor: bigint }).amountMinor], [rid, 8225n]);
  assert.match(String(fail.reason), /^The airline could not confirm your seats: Flight full\./);
});

test("a confirmed reservation cancelled by the customer: sellers cancels its booking with the seller by the reservation id", async () => {
  const rid = "res_cancelledexample";
  // The seller booked it first (the ReservationPaid before, same key).
  const booked = { ...paidReservation(hotelItem("casa")), reservationId: rid };
  const paidEvent = create(ReservationEventSchema, { event: { case: "paid", value: { reservation: booked } } });
  await f.handler(silentContext(), paidEvent, { messageId: 7_000_001n, topic: "booking.reservations", key: rid, group: BOOKINGS_GROUP, attempt: 1, publishedAt: new Date() });
  assert.equal((await f.store.get(rid))?.outcome, "confirmed");

  await pact
    .interaction()
    .given("a reservation is confirmed by the seller", { customerId: "c-cancels", amountMinor: "30000" })
    .expectsToReceive("a confirmed reservation cancelled by the customer", (m) =>
      m.withJSONContent({ cancelled: { reservation: { reservationId: reservationId(rid) } } }).withMetadata(onReservations(rid)),
    )
    .executeTest(sellersHandle);

  assert.ok(f.sellers.casa.ledger.cancelled.has(rid), "no live booking left at the seller");
  assert.is((await f.store.get(rid))?.cancelResult, "cancelled");
});

test("the pact is the committed contracts/pacts/sellers-booking-events.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
