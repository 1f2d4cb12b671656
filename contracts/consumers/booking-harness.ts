// Booking as its consumer tests run it: booking's own service (create.ts:
// CreateReservation holds the markdown with the wallet) and its settlement
// consumer (settlement.ts: wallet Capture, Release and Credit, payment
// Refund), on booking's own store and bus (services/booking/fixture.ts), with
// exactly the method under test over Connect JSON to Pact's mock server and
// every other peer call answered by the fixture's fakes — so that the
// interaction under test is the only call on the wire.
import { fromBinary } from "@bufbuild/protobuf";
import { access } from "../../endpoints/middleware/access.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import type { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { BOOKING_PRINCIPAL, type BookingFixture } from "../../services/booking/fixture.js";
import { bookingService } from "../../services/booking/service.js";
import { SETTLEMENT_GROUP, settlementHandler } from "../../services/booking/settlement.js";
import { bookingValidators } from "../../services/booking/validators.js";
import { topicOf, type DeliveryMeta } from "../../endpoints/bus.js";

export interface Peers {
  wallet?: Partial<Client<typeof WalletService>>;
  payment?: Partial<Client<typeof PaymentService>>;
}

/** Booking's service as payment calls it (access and validation middlewares), its wallet calls going to `peers`. */
export function bookingWith(f: BookingFixture, peers: Peers): Client<typeof BookingService> {
  const service = bookingService({
    store: f.store,
    bus: f.bus,
    wallet: { ...f.wallet.client, ...peers.wallet },
    servicePrincipal: async () => BOOKING_PRINCIPAL,
    pageTokenSecret: "test-secret",
  });
  return localClient(BookingService, service, access(), validation(bookingValidators()));
}

/**
 * Delivers every event booking published for a reservation to its settlement
 * consumer, in order, as the bus would (the consumer's inbox skips what it
 * settled before): the calls it makes go to `peers`, else to the fakes.
 */
export async function settle(f: BookingFixture, reservationId: string, peers: Peers): Promise<void> {
  const handle = settlementHandler({
    store: f.store,
    wallet: { ...f.wallet.client, ...peers.wallet },
    payment: { ...f.payment.client, ...peers.payment },
    servicePrincipal: async () => BOOKING_PRINCIPAL,
  });
  const r = await f.db.knex.raw<{ rows: { id: bigint; payload: Buffer; created_at: Date }[] }>(
    `select id, payload, created_at from bus.messages where topic = ? and key = ? order by id`,
    [topicOf(ReservationEventSchema).name, reservationId],
  );
  for (const row of r.rows) {
    const meta: DeliveryMeta = {
      messageId: BigInt(row.id),
      topic: topicOf(ReservationEventSchema).name,
      key: reservationId,
      group: SETTLEMENT_GROUP,
      attempt: 1,
      publishedAt: row.created_at,
    };
    await handle(f.serviceCtx("bus"), fromBinary(ReservationEventSchema, row.payload), meta);
  }
}
