// A trip in the customer's words: a payment and, once paid, its reservation,
// merged into one TripState. Pure mapping, no calls.
//
//   payment PENDING                → PAYING
//   payment DECLINED               → DECLINED (the gateway's reason)
//   payment EXPIRED                → EXPIRED
//   payment AUTHORISED, no reservation yet (booking makes it from the
//   payment.payments topic)        → PAID
//   reservation PAID / CONFIRMED / FULFILLED / CANCELLED / FAILED → the same
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { ReservationState, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState, type Payment } from "../../gen/itinera/payment/v1/payment_pb.js";
import { TripState, type TripSchema } from "../../gen/itinera/web/v1/web_pb.js";

export type TripInit = MessageInitShape<typeof TripSchema>;

/** States after which nothing more happens on its own (WatchTrip ends there). */
export const FINAL_STATES: ReadonlySet<TripState> = new Set([
  TripState.CONFIRMED,
  TripState.FAILED,
  TripState.CANCELLED,
  TripState.DECLINED,
  TripState.EXPIRED,
  TripState.FULFILLED,
]);

const BY_RESERVATION: Record<ReservationState, TripState> = {
  [ReservationState.UNSPECIFIED]: TripState.PAID,
  [ReservationState.PAID]: TripState.PAID,
  [ReservationState.CONFIRMED]: TripState.CONFIRMED,
  [ReservationState.FULFILLED]: TripState.FULFILLED,
  [ReservationState.CANCELLED]: TripState.CANCELLED,
  [ReservationState.FAILED]: TripState.FAILED,
};

const BY_PAYMENT: Record<PaymentState, TripState> = {
  [PaymentState.UNSPECIFIED]: TripState.PAYING,
  [PaymentState.PENDING]: TripState.PAYING,
  [PaymentState.AUTHORISED]: TripState.PAID,
  [PaymentState.DECLINED]: TripState.DECLINED,
  [PaymentState.EXPIRED]: TripState.EXPIRED,
};

const EXPIRED_REASON = "The card gateway did not answer in time: nothing was taken. Please book again.";

/** The trip of a payment (and its reservation, when there is one). */
export function tripOf(payment: Payment | undefined, reservation: Reservation | undefined): TripInit {
  if (reservation) {
    return {
      paymentId: reservation.paymentId,
      reservationId: reservation.reservationId,
      state: BY_RESERVATION[reservation.state],
      reservationState: reservation.state,
      item: reservation.item,
      amount: reservation.amount,
      markdown: reservation.markdown,
      reason: reservation.failureReason,
      sellerReference: reservation.sellerReference,
      cancellationFee: reservation.cancellationFee,
      refunded: reservation.refunded,
      createTime: payment?.createTime ?? reservation.createTime,
      updateTime: latest(reservation.updateTime, payment?.updateTime),
    };
  }
  if (!payment) throw new Error("a trip needs a payment or a reservation");
  const state = BY_PAYMENT[payment.state];
  return {
    paymentId: payment.paymentId,
    state,
    item: payment.item,
    amount: payment.amount,
    markdown: payment.markdown,
    reason: state === TripState.DECLINED ? payment.declineReason : state === TripState.EXPIRED ? EXPIRED_REASON : "",
    refunded: payment.refunded,
    createTime: payment.createTime,
    updateTime: payment.updateTime,
  };
}

/** What WatchTrip compares: a new message is sent when any of it changes. */
export function fingerprint(t: TripInit): string {
  return [t.state, t.reservationId ?? "", t.reservationState ?? 0, t.sellerReference ?? "", t.reason ?? ""].join("|");
}

function latest(a: Timestamp | undefined, b: Timestamp | undefined): Timestamp | undefined {
  if (!a || !b) return a ?? b;
  return a.seconds > b.seconds || (a.seconds === b.seconds && a.nanos >= b.nanos) ? a : b;
}
