// Sellers' saga step as its consumer tests run it: the real handler of
// ReservationPaid (services/sellers/bookings.ts) on its own store, the
// sellers' fakes on real HTTP servers behind the real adapters
// (services/sellers/bookings.fixture.ts), with exactly the method under test
// over Connect JSON to Pact's mock server and the other booking and payment
// calls answered by the fixture's recording fakes.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { localClient, type Client } from "../../endpoints/service.js";
import { BookingService, ReservationSchema, ReservationState, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { reservationIdOf } from "../../services/booking/ids.js";
import type { SagaOutcome } from "../../services/sellers/booking-store.js";
import { BOOKINGS_GROUP } from "../../services/sellers/bookings.js";
import { hotelItem, type BookingsFixture } from "../../services/sellers/bookings.fixture.js";
import { ctx } from "./calls.js";
import { topicOf } from "../../endpoints/bus.js";

export interface SagaPeers {
  booking?: Partial<Client<typeof BookingService>>;
  payment?: Partial<Client<typeof PaymentService>>;
}

/** A PAID casa stay as booking publishes it: EUR 315.00 on the card, ids derived as booking derives them from payment id `n`. */
export function paidStay(n: number, customerId: string): Reservation {
  const paymentId = `pay_${(0xc0 + n).toString(16).padStart(32, "0")}`;
  return create(ReservationSchema, {
    reservationId: reservationIdOf(paymentId),
    customerId,
    paymentId,
    item: hotelItem("casa"),
    amount: { amountMinor: 31_500n, currency: "EUR" },
    markdown: { amountMinor: 500n, currency: "EUR" },
    state: ReservationState.PAID,
    // Now: the seller's booking deadline is far away.
    createTime: timestampFromMs(Date.now()),
  });
}

let messages = 0n;

/** Delivers the reservation's ReservationPaid to sellers' handler with `peers` on the wire; answers the saga's outcome. */
export async function bookWithSeller(f: BookingsFixture, r: Reservation, peers: SagaPeers): Promise<SagaOutcome | undefined> {
  const handle = f.handlerWith({
    booking: { ...localClient(BookingService, f.peers.booking), ...peers.booking },
    payment: { ...localClient(PaymentService, f.peers.payment), ...peers.payment },
  });
  const event = create(ReservationEventSchema, { event: { case: "paid", value: { reservation: r } } });
  const meta = { messageId: 1_000_000n + ++messages, topic: topicOf(ReservationEventSchema).name, key: r.reservationId, group: BOOKINGS_GROUP, attempt: 1, publishedAt: new Date() };
  await handle(ctx, event, meta);
  return (await f.store.get(r.reservationId))?.outcome ?? undefined;
}
