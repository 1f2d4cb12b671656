// Saga step 4 (DOMAIN.md, "Booking (the saga)"): on ReservationPaid, book
// with the seller under the reservation id, then
//   confirmed                       → booking.ConfirmReservation(reference)
//   refused, or the seller still
//   failing past the deadline       → payment.Refund("refund:fail:<rid>", the
//                                     card amount), then booking.FailReservation
// A seller failure within the deadline throws: the bus retries with backoff.
// Before each retry (never the first attempt) booking is asked whether the
// reservation is still live: messages of one reservation are delivered in
// order, so its ReservationCancelled waits behind the retried
// ReservationPaid for the whole outage. A reservation CANCELLED (or FAILED)
// meanwhile is not booked: abandoned, the saga finished, the seller not
// asked to book again (its ReservationCancelled still asks the seller to
// cancel by our ref, which answers that nothing is booked — unless a failed
// attempt had booked after all). When booking cannot answer, the retry goes
// on as before.
//
// Cancellations: a reservation the customer cancelled leaves no live booking
// at the seller. ConfirmReservation refuses a reservation cancelled while the
// seller was booking it (FAILED_PRECONDITION): the booking is cancelled with
// the seller by our reference there and then. ReservationCancelled (which
// arrives after the ReservationPaid of the same reservation: one key) cancels
// with the seller any booking not known to be refused — confirmed, or still
// pending or abandoned, since a call that timed out may have booked. The
// money is not ours to move here: booking's settlement refunds what the
// cancellation policy says.
//
// Crash safety (sellers may die at any instruction): each step is recorded
// as soon as it is known (booking-store.ts) and every call it makes is
// idempotent — the seller by our ref (booking and cancelling), Refund by its
// key, Confirm and Fail by the reservation's state — so a redelivery redoes
// at most the one step in flight and never books twice.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { derive, type Context, type Principal } from "../../endpoints/context.js";
import { asKitError, Code, KitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import { ReservationState, type BookingService, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import type { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { Item } from "../../gen/itinera/type/v1/item_pb.js";
import { topicOf, type Bus, type DeliveryMeta, type MessageHandler, type Subscription } from "../../endpoints/bus.js";
import type { BookingResult, SellerAdapter } from "./adapter.js";
import type { SagaOutcome, SellerBooking, SellerBookingStore } from "./booking-store.js";

export const BOOKINGS_GROUP = "sellers-bookings";
/** How long the seller may keep failing, from the reservation's create_time, before we give up. */
export const DEFAULT_BOOKING_DEADLINE_MS = 10 * 60_000;
/** Deliveries of a booking before it goes to the dead letters: enough to outlast the deadline at the default backoff. */
export const DEFAULT_BOOKING_MAX_ATTEMPTS = 100;

export interface SellerBookingsDeps {
  store: SellerBookingStore;
  adapters: readonly SellerAdapter[];
  booking: Client<typeof BookingService>;
  payment: Client<typeof PaymentService>;
  /** This service's own principal, which the RPCs carry. */
  principal: (ctx: Context) => Promise<Principal>;
  deadlineMs?: number;
  now?: () => number;
}

export function sellerBookings(deps: SellerBookingsDeps): MessageHandler<ReservationEvent> {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const deadlineMs = deps.deadlineMs ?? DEFAULT_BOOKING_DEADLINE_MS;
  const bySeller = new Map(deps.adapters.map((a) => [a.id, a]));

  /** Asks the seller, unless its answer is known already; answers the booking as decided (or throws to retry). */
  async function bookWithSeller(ctx: Context, r: Reservation, meta: DeliveryMeta): Promise<SellerBooking> {
    const rid = r.reservationId;
    const sellerId = r.item?.sellerId ?? "";
    const started = await store.startAttempt(rid, sellerId);
    if (started.status !== "pending") return started;
    const adapter = bySeller.get(sellerId);
    if (!adapter?.book || !r.item) {
      return store.decide(rid, { status: "refused", reason: `no seller "${sellerId}" takes bookings` });
    }
    let result: BookingResult;
    try {
      result = await adapter.book(ctx, rid, r.item);
    } catch (e) {
      const error = asKitError(e);
      const deadline = (r.createTime ? timestampMs(r.createTime) : meta.publishedAt.getTime()) + deadlineMs;
      if (now() >= deadline) {
        ctx.log.error({ err: error.message, attempts: started.attempts }, "seller still failing past the booking deadline; compensating");
        return store.decide(rid, { status: "abandoned", reason: error.message });
      }
      await store.recordFailure(rid, `${error.codeName}: ${error.message}`);
      ctx.log.warn({ err: error.message, attempts: started.attempts }, "seller booking failed; will retry");
      throw error;
    }
    ctx.log.info({ status: result.status }, "seller answered the booking");
    return store.decide(rid, result.status === "confirmed" ? result : { status: "refused", reason: result.reason });
  }

  /**
   * On a retry: the saga's outcome when booking says the reservation ended
   * meanwhile (cancelled by its customer, or failed), undefined to go on
   * booking — also when booking could not be asked.
   */
  async function endedMeanwhile(ctx: Context, rid: string): Promise<SagaOutcome | undefined> {
    let state: ReservationState | undefined;
    try {
      state = (await deps.booking.getReservation(ctx, { reservationId: rid })).reservation?.state;
    } catch (e) {
      ctx.log.warn({ err: asKitError(e).message }, "booking could not say whether the reservation is still live; retrying the seller");
      return undefined;
    }
    return state === ReservationState.CANCELLED ? "cancelled" : state === ReservationState.FAILED ? "failed" : undefined;
  }

  async function confirm(ctx: Context, r: Reservation, reference: string): Promise<SagaOutcome> {
    try {
      await deps.booking.confirmReservation(ctx, { reservationId: r.reservationId, sellerReference: reference });
      return "confirmed";
    } catch (e) {
      if (!isFailedPrecondition(e)) throw e;
      ctx.log.info({ err: (e as Error).message }, "booked with the seller, but the reservation was cancelled meanwhile; cancelling with the seller");
      await cancelWithSeller(ctx, r.reservationId, r.item?.sellerId ?? "");
      return "cancelled";
    }
  }

  /** Cancels the booking of `rid` with its seller by our reference, once recorded (throws to retry). */
  async function cancelWithSeller(ctx: Context, rid: string, sellerId: string): Promise<void> {
    const adapter = bySeller.get(sellerId);
    if (!adapter?.cancel) throw new Error(`seller "${sellerId}" takes no cancellations: its booking of ${rid} must be cancelled by hand`);
    const result = await adapter.cancel(ctx, rid);
    if (result.status === "not_booked") ctx.log.warn({ reason: result.reason }, "the seller held no live booking to cancel");
    else ctx.log.info("booking cancelled with the seller");
    await store.recordCancel(rid, result.status);
  }

  /** ReservationCancelled: no live booking may stay at the seller. */
  async function cancelled(ctx0: Context, r: Reservation, meta: DeliveryMeta): Promise<void> {
    const booking = await store.get(r.reservationId);
    if (booking && booking.status !== "refused" && booking.cancelResult === null) {
      const log = ctx0.log.child({ reservation_id: r.reservationId, seller_id: booking.sellerId });
      const ctx = derive(ctx0, { log, principal: await deps.principal(ctx0) });
      await cancelWithSeller(ctx, r.reservationId, booking.sellerId);
    }
    // Never booked (refused, or no booking at all): nothing is live at the seller.
    await store.markHandled(meta);
  }

  async function compensate(ctx: Context, r: Reservation, b: SellerBooking): Promise<SagaOutcome> {
    const rid = r.reservationId;
    const amount = r.amount;
    let refunded = amount && amount.amountMinor > 0n ? amount : undefined;
    if (refunded) {
      try {
        await deps.payment.refund(ctx, {
          idempotencyKey: `refund:fail:${rid}`,
          paymentId: r.paymentId,
          amount: refunded,
          reason: b.status === "refused" ? "seller refused the booking" : "seller unavailable past the booking deadline",
        });
      } catch (e) {
        if (!isFailedPrecondition(e)) throw e;
        // Nothing left to refund (the customer cancelled meanwhile?): booking settles a FAILED reservation's short refund.
        ctx.log.warn({ err: (e as Error).message }, "payment would not refund the failed booking");
        refunded = undefined;
      }
    }
    try {
      await deps.booking.failReservation(ctx, {
        reservationId: rid,
        reason: customerReason(r.item, b, refunded !== undefined),
        refunded: refunded ?? { amountMinor: 0n, currency: amount?.currency ?? "EUR" },
      });
      return "failed";
    } catch (e) {
      if (!isFailedPrecondition(e)) throw e;
      ctx.log.warn({ err: (e as Error).message }, "the reservation can no longer be failed (cancelled meanwhile?)");
      return "cancelled";
    }
  }

  return async function handle(ctx0, event, meta) {
    const kind = event.event.case;
    if (kind !== "paid" && kind !== "cancelled") return;
    const r = event.event.value.reservation;
    if (!r || r.reservationId === "") {
      // It will never become valid: retrying would only delay the messages behind it.
      ctx0.log.error({ message_id: String(meta.messageId), event: kind }, "reservation event without a reservation; dropped");
      return;
    }
    if (await store.isProcessed(meta)) return;
    if (kind === "cancelled") return cancelled(ctx0, r, meta);
    const log = ctx0.log.child({ reservation_id: r.reservationId, seller_id: r.item?.sellerId });
    const ctx = derive(ctx0, { log, principal: await deps.principal(ctx0) });

    let booking = await store.get(r.reservationId);
    if (booking?.outcome) {
      // A second ReservationPaid of a finished reservation: nothing more to do.
      await store.finish(meta, r.reservationId, booking.outcome);
      return;
    }
    // A pending booking is a retry: its first attempt wrote it.
    const ended = booking?.status === "pending" ? await endedMeanwhile(ctx, r.reservationId) : undefined;
    if (ended) {
      booking = await store.decide(r.reservationId, { status: "abandoned", reason: `the reservation was ${ended} while the seller was failing` });
      await store.finish(meta, r.reservationId, ended);
      log.info({ outcome: ended, attempts: booking.attempts }, "the reservation ended while the seller was failing; not booked, the seller not asked again");
      return;
    }
    if (!booking || booking.status === "pending") booking = await bookWithSeller(ctx, r, meta);
    const outcome =
      booking.status === "confirmed" ? await confirm(ctx, r, booking.reference!) : await compensate(ctx, r, booking);
    await store.finish(meta, r.reservationId, outcome);
    log.info({ outcome, attempts: booking.attempts }, "seller booking finished");
  };
}

export interface BookingConsumerOptions {
  /** Deliveries before a message goes to the dead letters. Default 100 (about an hour at the default backoff). */
  maxAttempts?: number;
  /** Wait before retry `attempt`. Default 1 s doubling, at most 30 s. */
  backoff?: (attempt: number) => number;
  /** Reservations booked at once. Default 4. */
  concurrency?: number;
}

/** Starts the consumer: group "sellers-bookings" on ReservationEvent's topic. */
export function subscribeSellerBookings(
  bus: Bus,
  handler: MessageHandler<ReservationEvent>,
  opts: BookingConsumerOptions = {},
): Promise<Subscription> {
  return bus.subscribe({
    topic: topicOf(ReservationEventSchema),
    group: BOOKINGS_GROUP,
    handler,
    // The deadline, not the attempt count, decides when to give up: enough attempts to outlast it.
    maxAttempts: opts.maxAttempts ?? DEFAULT_BOOKING_MAX_ATTEMPTS,
    backoff: opts.backoff ?? ((attempt) => Math.min(1000 * 2 ** (attempt - 1), 30_000)),
    concurrency: opts.concurrency ?? 4,
  });
}

function isFailedPrecondition(e: unknown): boolean {
  return e instanceof KitError && e.code === Code.FailedPrecondition;
}

/** Why it failed, in plain words for the customer (FailReservation's reason, read in the apology e-mail). */
export function customerReason(item: Item | undefined, b: SellerBooking, refunded: boolean): string {
  const flight = item?.kind.case === "flightTrip";
  const who = flight ? "The airline" : "The hotel";
  const what = flight ? "your seats" : "your room";
  const cause =
    b.status === "abandoned"
      ? `We could not reach ${flight ? "the airline" : "the hotel"} to confirm ${what} in time.`
      : `${who} could not confirm ${what}${b.reason ? `: ${b.reason.replace(/[.\s]+$/, "")}` : ""}.`;
  return refunded ? `${cause} Your card payment has been refunded in full.` : cause;
}
