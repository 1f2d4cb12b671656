// Requests the payment tests share: a hotel stay and a flight paid in EUR,
// each with a quote signed by the development key as search would sign it
// (every quote of a test run has the same issue time, so the same request
// built twice is the same request).
import {
  DEVELOPMENT_QUOTE_PUBLIC_KEY,
  DEVELOPMENT_QUOTE_SIGNING_KEY,
  quoteSigner,
  quoteTimes,
  quoteVerifier,
  type QuoteInit,
} from "../../platform/quotes.js";

/** A MakePayment request as the tests build it (a plain object, so tests may spread and change it). */
export interface MakePayment {
  idempotencyKey: string;
  quotes: string[];
  returnUrl: string;
}

/** What the payment tests' service is wired with: the development public key, and the return URLs it accepts. */
export const TEST_QUOTING = {
  priceQuotes: quoteVerifier(DEVELOPMENT_QUOTE_PUBLIC_KEY),
  validation: { returnOrigins: ["https://itinera.test", "http://127.0.0.1:8080"] },
};

const ISSUED = new Date();
const sign = quoteSigner(DEVELOPMENT_QUOTE_SIGNING_KEY);
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

/**
 * A quote for `customerId` whose card amount is `amountMinor` (listed = amount
 * + markdown; amount ≥ markdown), the flexible option a tenth of the listed
 * price; `issued` moves its validity window.
 */
export function quoteFor(customerId: string, item: QuoteInit["item"], amountMinor: bigint, markdownMinor: bigint, issued = ISSUED): string {
  const listed = amountMinor + markdownMinor;
  return sign({
    item,
    listed: eur(listed),
    markdown: eur(markdownMinor),
    walletAvailable: eur(markdownMinor),
    flexible: eur(listed / 10n),
    customerId,
    ...quoteTimes(issued),
  });
}

export const HOTEL_ITEM: QuoteInit["item"] = {
  sellerId: "casa",
  title: "Hotel Aurora, Lisbon — Double room, 3 nights",
  kind: {
    case: "hotelStay",
    value: {
      hotelId: "hotel-1",
      roomId: "room-1",
      checkIn: { year: 2026, month: 12, day: 10 },
      checkOut: { year: 2026, month: 12, day: 13 },
      starRating: 4,
    },
  },
};

export function hotelPayment(customerId: string, idempotencyKey: string, amountMinor: bigint, markdownMinor = 500n): MakePayment {
  return {
    idempotencyKey,
    quotes: [quoteFor(customerId, HOTEL_ITEM, amountMinor, markdownMinor)],
    returnUrl: "https://itinera.test/return",
  };
}

export function flightPayment(customerId: string, idempotencyKey: string, amountMinor: bigint): MakePayment {
  const item: QuoteInit["item"] = {
    sellerId: "skylark",
    title: "LIS → OPO",
    kind: { case: "flightTrip", value: { outboundFlightId: "SL123-2026-12-01", origin: "LIS", destination: "OPO" } },
  };
  return { idempotencyKey, quotes: [quoteFor(customerId, item, amountMinor, 0n)], returnUrl: "http://127.0.0.1:8080/payments/return" };
}
