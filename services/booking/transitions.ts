// The state changes after PAID, each in one transaction that locks the row,
// decides from what it finds, writes, and publishes the event of the change:
//   CancelReservation   PAID | CONFIRMED → CANCELLED   (the customer)
//   ConfirmReservation  PAID → CONFIRMED               (sellers: the seller booked it)
//   FailReservation     PAID → FAILED                  (sellers: the seller refused)
// A repeated call finds the state it asked for and answers the reservation as
// it is, publishing nothing. The row lock settles races: when a customer
// cancels a PAID reservation while the seller confirms it, whichever locks
// first wins — a cancellation after the confirmation pays the confirmed
// policy's fee; a confirmation after the cancellation is refused
// (FAILED_PRECONDITION) and sellers then cancels the booking with the seller.
// The money itself moves in the settlement consumer (settlement.ts), driven
// by the events, so a crash after the commit loses no refund. A cancellation
// and a failure give the stay's room-nights back (rooms.ts) in the same
// transaction: once, since the state changes once.
import type { Context } from "../../endpoints/context.js";
import { failedPrecondition, invalidArgument } from "../../endpoints/errors.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import type {
  CancelReservationRequest,
  ConfirmReservationRequest,
  FailReservationRequest,
  Reservation,
} from "../../gen/itinera/booking/v1/booking_pb.js";
import { formatMoney } from "../../platform/money.js";
import { cancellable, DEFAULT_SETTINGS, reservationNotFound, visibleTo, type BookingServiceDeps } from "./deps.js";
import { publishReservationEvent } from "./events.js";
import { cancellationTerms } from "./fees.js";
import { reservationMessage } from "./messages.js";
import { giveRoom } from "./rooms.js";
import type { BookingTransaction, ReservationRow } from "./store.js";

export function transitions(deps: BookingServiceDeps) {
  const { store, bus } = deps;
  const settings = deps.settings ?? DEFAULT_SETTINGS;
  const now = deps.now ?? (() => new Date());

  /** Locks the reservation and runs `change`, answering the reservation `change` leaves. */
  function withLocked(reservationId: string, change: (tx: BookingTransaction, row: ReservationRow | undefined) => Promise<ReservationRow>) {
    return store.transaction(async (tx) => ({ reservation: reservationMessage(await change(tx, await tx.lock(reservationId))) }));
  }

  async function publish(tx: BookingTransaction, ctx: Context, kind: "confirmed" | "failed" | "cancelled", row: ReservationRow) {
    const reservation: Reservation = reservationMessage(row);
    await publishReservationEvent(bus, tx.outbox, ctx, kind, reservation);
    return row;
  }

  return {
    cancelReservation: async (ctx: Context, req: CancelReservationRequest) => {
      customerOf(ctx); // a customer cancels (Unauthenticated without one), and only their own
      return withLocked(req.reservationId, async (tx, found) => {
        const row = visibleTo(ctx, found, req.reservationId, false);
        if (row.state === "cancelled") return row; // a repeated call: nothing more is refunded
        const terms = cancellationTerms(cancellable(row), settings.cancellation);
        if (!terms.ok) throw failedPrecondition(terms.reason);
        const cancelled = await tx.update(row.reservationId, {
          state: "cancelled",
          cancelledFrom: terms.from,
          cancellationFeeMinor: terms.feeMinor,
          refundedMinor: terms.refundMinor,
          walletRefundMinor: terms.walletRefundMinor,
          time: now(),
        });
        ctx.log.info({ reservation_id: row.reservationId, from: terms.from, fee_minor: String(terms.feeMinor) }, "reservation cancelled");
        await giveRoom(bus, tx, ctx, row.item);
        return publish(tx, ctx, "cancelled", cancelled);
      });
    },

    confirmReservation: (ctx: Context, req: ConfirmReservationRequest) =>
      withLocked(req.reservationId, async (tx, row) => {
        if (!row) throw reservationNotFound(req.reservationId);
        switch (row.state) {
          case "confirmed":
            if (row.sellerReference !== req.sellerReference) {
              ctx.log.warn({ reservation_id: row.reservationId }, "confirmed again with another seller reference; the first one is kept");
            }
            return row;
          case "paid":
            return publish(tx, ctx, "confirmed", await tx.update(row.reservationId, { state: "confirmed", sellerReference: req.sellerReference, time: now() }));
          case "cancelled":
            throw failedPrecondition(
              `Reservation ${row.reservationId} was cancelled by the customer before the seller confirmed it: cancel the booking with the seller.`,
            );
          default:
            throw failedPrecondition(`Reservation ${row.reservationId} is ${row.state} and cannot be confirmed: only a paid reservation can.`);
        }
      }),

    failReservation: (ctx: Context, req: FailReservationRequest) =>
      withLocked(req.reservationId, async (tx, row) => {
        if (!row) throw reservationNotFound(req.reservationId);
        switch (row.state) {
          case "failed":
            return row;
          case "paid": {
            const refunded = refundedBySeller(row, req);
            await giveRoom(bus, tx, ctx, row.item);
            return publish(
              tx,
              ctx,
              "failed",
              await tx.update(row.reservationId, { state: "failed", failureSource: "seller", failureReason: req.reason, refundedMinor: refunded, time: now() }),
            );
          }
          case "cancelled":
            throw failedPrecondition(
              `Reservation ${row.reservationId} was cancelled by the customer, whose money goes back through the cancellation: it cannot fail any more.`,
            );
          default:
            throw failedPrecondition(`Reservation ${row.reservationId} is ${row.state} and cannot fail: only a paid reservation can.`);
        }
      }),
  };
}

/** What sellers says it refunded: at most the card amount, in its currency (absent: nothing). */
function refundedBySeller(row: ReservationRow, req: FailReservationRequest): bigint {
  const refunded = req.refunded;
  if (!refunded || refunded.amountMinor === 0n) return 0n;
  if (refunded.currency !== row.currency) {
    const description = `must be in ${row.currency}, the currency of the reservation`;
    throw invalidArgument(`refunded.currency: ${description}`, [{ field: "refunded.currency", rule: "same_currency", description }]);
  }
  if (refunded.amountMinor < 0n || refunded.amountMinor > row.amountMinor) {
    const description = `must be from 0 to ${formatMoney(row.amountMinor, row.currency)}, what the card paid`;
    throw invalidArgument(`refunded.amount_minor: ${description}`, [{ field: "refunded.amount_minor", rule: "range", description }]);
  }
  return refunded.amountMinor;
}
