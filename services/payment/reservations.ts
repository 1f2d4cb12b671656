// The consumer that turns an authorised payment into a reservation: group
// "payment-reservations" on PaymentEvent's topic. For PaymentAuthorised
// it calls booking.CreateReservation as this service (its own principal), and
// records the reservation id in the payment with the message in the inbox,
// in one transaction. Declined payments need nothing.
//
// "If the customer paid, they get the reservation": a failed call throws, so
// the bus retries it — up to 50 times with backoff capped at 15 s, i.e. for
// about twelve minutes of booking being down — before the message goes to the
// dead letters with its error. Redelivery is harmless twice over: a handled
// message is skipped (inbox), and CreateReservation is idempotent by payment id.
import { derive, type Context, type Principal } from "../../endpoints/context.js";
import { asKitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentEventSchema, type PaymentEvent } from "../../gen/itinera/payment/v1/events_pb.js";
import { topicOf, type Bus, type DeliveryMeta, type Subscription } from "../../endpoints/bus.js";
import type { PaymentStore } from "./store.js";

export const RESERVATIONS_GROUP = "payment-reservations";
export const RESERVATION_MAX_ATTEMPTS = 50;

/** 1 s, 2 s, 4 s, 8 s, then every 15 s. */
export function reservationBackoff(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 15_000);
}

export interface ReservationConsumerDeps {
  store: PaymentStore;
  booking: Client<typeof BookingService>;
  /** This service's own principal (identityAccess(...).tokens.principal in main.ts). */
  principal: (ctx: Context) => Promise<Principal>;
}

/** Handles one payment.payments message; throws to have it retried. */
export function reservationHandler(deps: ReservationConsumerDeps) {
  return async (ctx: Context, event: PaymentEvent, meta: DeliveryMeta): Promise<void> => {
    if (event.event.case !== "authorised") return;
    const payment = event.event.value.payment;
    if (!payment) throw new Error("a PaymentAuthorised without its payment");
    if (await deps.store.handled(meta)) return;
    const log = ctx.log.child({ payment_id: payment.paymentId });
    try {
      const asService = derive(ctx, { principal: await deps.principal(ctx), log });
      const { reservation } = await deps.booking.createReservation(asService, {
        paymentId: payment.paymentId,
        customerId: payment.customerId,
        ...(payment.item ? { item: payment.item } : {}),
        ...(payment.amount ? { amount: payment.amount } : {}),
        ...(payment.markdown ? { markdown: payment.markdown } : {}),
      });
      if (!reservation?.reservationId) throw new Error("booking answered CreateReservation without a reservation");
      await deps.store.recordReservation(meta, payment.paymentId, reservation.reservationId);
      log.info({ reservation_id: reservation.reservationId }, "reservation made for the payment");
    } catch (e) {
      const error = asKitError(e);
      const fields = { attempt: meta.attempt, code: error.codeName, err: error.message };
      if (meta.attempt >= RESERVATION_MAX_ATTEMPTS) log.error(fields, "reservation not made after the last attempt: dead-lettered");
      else log.warn(fields, "reservation not made yet; will retry");
      throw e;
    }
  };
}

/** Starts the consumer (main.ts): stop the subscription at shutdown. Tests may shorten the backoff. */
export function subscribeReservations(
  bus: Bus,
  deps: ReservationConsumerDeps,
  opts: { backoff?: (attempt: number) => number } = {},
): Promise<Subscription> {
  return bus.subscribe({
    topic: topicOf(PaymentEventSchema),
    group: RESERVATIONS_GROUP,
    handler: reservationHandler(deps),
    maxAttempts: RESERVATION_MAX_ATTEMPTS,
    backoff: opts.backoff ?? reservationBackoff,
    // Payments are independent of each other: several reservations may be in flight at once.
    concurrency: 4,
  });
}
