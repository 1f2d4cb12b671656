// The cancellation policy (DOMAIN.md): what cancelling a reservation now
// costs, what goes back to the card and what goes back to the wallet. Pure:
// the service applies it to a locked row, QuoteCancellation to a read one.
//
//   PAID                          free: the card amount back, the wallet hold released
//   CONFIRMED, premium item       free: the card amount back, the markdown credited back
//   CONFIRMED, hotel ≥ 5 stars    non-refundable: the fee is the whole card amount, the markdown is kept
//   CONFIRMED, otherwise          a fixed fee (capped at the card amount), the rest back to the card,
//                                 the markdown credited back
//   FULFILLED, CANCELLED, FAILED  not possible
import { formatMoney } from "../../platform/money.js";
import type { ReservationState } from "./store.js";

export interface CancellationSettings {
  /** The fee of a normal confirmed booking, in minor units of `feeCurrency`. */
  feeMinor: bigint;
  feeCurrency: string;
  /** Hotels with at least this many stars are non-refundable once confirmed. */
  nonRefundableStars: number;
}

export const DEFAULT_CANCELLATION: CancellationSettings = { feeMinor: 2500n, feeCurrency: "EUR", nonRefundableStars: 5 };

export interface Cancellable {
  reservationId: string;
  state: ReservationState;
  currency: string;
  amountMinor: bigint;
  markdownMinor: bigint;
  premium: boolean;
  /** 0 for flights. */
  starRating: number;
}

export type CancellationTerms =
  | {
      ok: true;
      /** The state the cancellation leaves: it tells the settlement what to undo. */
      from: "paid" | "confirmed";
      feeMinor: bigint;
      /** Back to the card. */
      refundMinor: bigint;
      /** Back to the wallet (the hold released, or the captured markdown credited). */
      walletRefundMinor: bigint;
      /** The policy in plain words. */
      policy: string;
    }
  | { ok: false; reason: string };

export function cancellationTerms(r: Cancellable, settings: CancellationSettings = DEFAULT_CANCELLATION): CancellationTerms {
  switch (r.state) {
    case "paid":
      return free(r, "paid", "Free cancellation: the booking is not yet confirmed by the seller.");
    case "confirmed":
      if (r.premium) return free(r, "confirmed", "Free cancellation: the booking is flexible.");
      if (r.starRating >= settings.nonRefundableStars) {
        return {
          ok: true,
          from: "confirmed",
          feeMinor: r.amountMinor,
          refundMinor: 0n,
          walletRefundMinor: 0n,
          policy: `Non-refundable: a confirmed booking at a ${r.starRating}-star hotel cannot be refunded.`,
        };
      }
      return fixedFee(r, settings);
    case "fulfilled":
      return { ok: false, reason: `Reservation ${r.reservationId} has already taken place and can no longer be cancelled.` };
    case "cancelled":
      return { ok: false, reason: `Reservation ${r.reservationId} is already cancelled.` };
    case "failed":
      return {
        ok: false,
        reason: `Reservation ${r.reservationId} could not be booked and its payment was already refunded: there is nothing to cancel.`,
      };
  }
}

function free(r: Cancellable, from: "paid" | "confirmed", policy: string): CancellationTerms {
  return { ok: true, from, feeMinor: 0n, refundMinor: r.amountMinor, walletRefundMinor: r.markdownMinor, policy };
}

function fixedFee(r: Cancellable, s: CancellationSettings): CancellationTerms {
  if (r.currency !== s.feeCurrency) {
    // Booking takes EUR only (the validators refuse anything else); a fee in
    // another currency would be a different amount of money, so refuse loudly.
    throw new Error(`cancellation fee is set in ${s.feeCurrency}, reservation ${r.reservationId} is in ${r.currency}`);
  }
  const feeMinor = s.feeMinor < r.amountMinor ? s.feeMinor : r.amountMinor;
  return {
    ok: true,
    from: "confirmed",
    feeMinor,
    refundMinor: r.amountMinor - feeMinor,
    walletRefundMinor: r.markdownMinor,
    policy: `A cancellation fee of ${formatMoney(feeMinor, r.currency)} applies to a confirmed booking.`,
  };
}
