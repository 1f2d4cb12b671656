// What a trip's state means, in the words the reservation page and "My trips"
// show. Pure: the pages only pick where to put the text.
import { TripState, type Trip } from "../../../gen/itinera/web/v1/web_pb.js";
import { parseIsoDate } from "./dates.js";
import { formatMoney, isPositive } from "./money.js";
import { flightSearchUrl, hotelUrl } from "./params.js";

/** The short label of a state ("Confirmed"), for badges and lists. */
export function tripStateLabel(state: TripState): string {
  switch (state) {
    case TripState.PAYING:
      return "Waiting for payment";
    case TripState.DECLINED:
      return "Card declined";
    case TripState.PAID:
      return "Paid, confirming";
    case TripState.CONFIRMED:
      return "Confirmed";
    case TripState.FAILED:
      return "Could not be booked";
    case TripState.CANCELLED:
      return "Cancelled";
    case TripState.FULFILLED:
      return "Completed";
    case TripState.EXPIRED:
      return "Payment timed out";
    default:
      return "Unknown";
  }
}

/** States after which nothing more happens to a trip on its own. */
const FINAL = new Set<TripState>([
  TripState.DECLINED,
  TripState.CONFIRMED,
  TripState.FAILED,
  TripState.CANCELLED,
  TripState.FULFILLED,
  TripState.EXPIRED,
]);

/** True when WatchTrip has nothing more to tell (the page stops following). */
export const isFinal = (state: TripState): boolean => FINAL.has(state);

/** True while the page should say "please wait" (a spinner, aria-busy). */
export const isPending = (state: TripState): boolean => state === TripState.PAYING || state === TripState.PAID;

/** Paid or confirmed trips with a reservation can be cancelled (DOMAIN: not fulfilled or cancelled ones). */
export const canCancel = (trip: Trip): boolean =>
  !!trip.reservationId && (trip.state === TripState.PAID || trip.state === TripState.CONFIRMED);

/** A tone for styling and for the live region: success, warning, error or progress. */
export function tripTone(state: TripState): "success" | "error" | "progress" | "neutral" {
  if (state === TripState.CONFIRMED || state === TripState.FULFILLED) return "success";
  if (state === TripState.DECLINED || state === TripState.FAILED || state === TripState.EXPIRED) return "error";
  if (isPending(state)) return "progress";
  return "neutral";
}

const sentence = (text: string) => {
  const t = text.trim();
  return t === "" ? "" : /[.!?]$/.test(t) ? t : `${t}.`;
};

/**
 * The message of the reservation page: what happened and what the traveller
 * can expect, in plain words (a headline and the details).
 */
export function tripMessage(trip: Trip): { headline: string; details: string[] } {
  const reason = sentence(trip.reason);
  switch (trip.state) {
    case TripState.PAYING:
      return {
        headline: "Waiting for the card payment…",
        details: ["We are waiting for the payment page to tell us the card was accepted. This page updates by itself."],
      };
    case TripState.DECLINED:
      return {
        headline: "Your card was declined. Nothing was booked and nothing was charged.",
        details: [reason, "You can try again with another card."].filter(Boolean),
      };
    case TripState.PAID:
      return {
        headline: "Payment received. We are confirming your booking with the seller…",
        details: ["This usually takes a few seconds. This page updates by itself."],
      };
    case TripState.CONFIRMED:
      return {
        headline: "Your booking is confirmed.",
        details: [
          trip.sellerReference ? `Seller reference: ${trip.sellerReference}.` : "",
          "An invoice is on its way to your e-mail address.",
        ].filter(Boolean),
      };
    case TripState.FAILED: {
      const refunded = isPositive(trip.refunded) ? formatMoney(trip.refunded) : formatMoney(trip.amount);
      return {
        headline: "The seller could not book this trip.",
        details: [
          reason,
          refunded ? `We are refunding ${refunded} to your card.` : "Your money is being refunded to your card.",
          isPositive(trip.markdown) ? `The ${formatMoney(trip.markdown)} from your wallet goes back to your wallet.` : "",
          "We have sent you an e-mail about it.",
        ].filter(Boolean),
      };
    }
    case TripState.CANCELLED:
      return {
        headline: "This trip was cancelled.",
        details: [
          trip.cancellationFee ? `Cancellation fee: ${formatMoney(trip.cancellationFee)}.` : "",
          isPositive(trip.refunded) ? `Refunded to your card: ${formatMoney(trip.refunded)}.` : "",
        ].filter(Boolean),
      };
    case TripState.FULFILLED:
      return { headline: "This trip has taken place.", details: [] };
    case TripState.EXPIRED:
      return {
        headline: "The card payment did not go through in time. Nothing was charged.",
        details: ["You can search again and book once more."],
      };
    default:
      return { headline: "We are looking up this trip…", details: [] };
  }
}

/**
 * The line under a trip in "My trips". The payments that never became a
 * reservation say first whether the card was charged; the others say what
 * the reservation page says.
 */
export function tripListLine(trip: Trip): string {
  switch (trip.state) {
    case TripState.DECLINED:
      return "Payment declined — your card was not charged.";
    case TripState.PAYING:
      return "Waiting for your bank to confirm the payment.";
    case TripState.EXPIRED:
      return "Payment timed out — your card was not charged.";
    default:
      return tripMessage(trip).headline;
  }
}

/** The dated departure's day in a flight id ("SL123-2026-12-01" → 2026-12-01). */
const flightDay = (flightId: string) => parseIsoDate(/(\d{4}-\d{2}-\d{2})$/.exec(flightId)?.[1]);

/**
 * Where "Try again" leads for a trip whose payment did not go through
 * (declined or timed out): what was being bought, to be priced and booked
 * again; undefined for every other state.
 */
export function tryAgainUrl(trip: Trip): string | undefined {
  if (trip.state !== TripState.DECLINED && trip.state !== TripState.EXPIRED) return undefined;
  const kind = trip.item?.kind;
  if (kind?.case === "hotelStay") return hotelUrl(kind.value.hotelId, kind.value.checkIn, kind.value.checkOut);
  if (kind?.case === "flightTrip") {
    const f = kind.value;
    return flightSearchUrl({ from: f.origin, to: f.destination, date: flightDay(f.outboundFlightId), returnDate: f.returnFlightId ? flightDay(f.returnFlightId) : undefined });
  }
  return "/";
}
