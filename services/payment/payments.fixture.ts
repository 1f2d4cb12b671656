// Requests the payment tests share: a hotel stay and a flight paid in EUR,
// each with a quote signed with the development secret as search would sign it.
import type { QuoteInit } from "../../platform/quotes.js";
import { testPriceQuotes, testQuote } from "../../platform/quotes.testing.js";

/** A MakePayment request as the tests build it (a plain object, so tests may spread and change it). */
export interface MakePayment {
  idempotencyKey: string;
  quotes: string[];
  returnUrl: string;
}

/** What the payment tests' service is wired with: the development quote secret, and the return URLs it accepts. */
export const TEST_QUOTING = {
  priceQuotes: testPriceQuotes,
  validation: { returnOrigins: ["https://itinera.test", "http://127.0.0.1:8080"] },
};

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
    quotes: [testQuote(customerId, HOTEL_ITEM, amountMinor, markdownMinor)],
    returnUrl: "https://itinera.test/return",
  };
}

export function flightPayment(customerId: string, idempotencyKey: string, amountMinor: bigint): MakePayment {
  const item: QuoteInit["item"] = {
    sellerId: "skylark",
    title: "LIS → OPO",
    kind: { case: "flightTrip", value: { outboundFlightId: "SL123-2026-12-01", origin: "LIS", destination: "OPO" } },
  };
  return { idempotencyKey, quotes: [testQuote(customerId, item, amountMinor, 0n)], returnUrl: "http://127.0.0.1:8080/payments/return" };
}
