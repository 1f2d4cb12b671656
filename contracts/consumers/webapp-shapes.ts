// What the web app's pages read of the BFF's answers, as Pact templates in
// proto JSON (lowerCamel, int64 as strings, zero values absent): shared by
// the interactions of webapp-web.pact.test.ts. Each names only fields a page
// or the app's lib (web/src/lib) reads, for one case the BFF's state makes
// true (a hotel with a wallet markdown, a confirmed trip, …).
import { testQuote } from "../../platform/quotes.testing.js";
import { int64String, Matchers } from "../pact.js";

const { eachLike, integer, like, regex } = Matchers;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** An enum value in proto JSON, exactly this one (inside eachLike, a plain string would match any string). */
export const enumValue = (name: string) => regex(new RegExp(`^${name}$`), name);

/** itinera.type.v1.Money with an amount: formatMoney reads both. */
export const money = (amountMinor: string) => ({ amountMinor: int64String(amountMinor), currency: regex(/^[A-Z]{3}$/, "EUR") });

/** itinera.type.v1.Date: the trip's dates (TripFacts). */
const date = (year: number, month: number, day: number) => ({ year: integer(year), month: integer(month), day: integer(day) });

export const PAYMENT_ID = "pay_000000000000000000000000000000a1";
export const RESERVATION_ID = "res_000000000000000000000000000000a1";

/** Ana's room as search quotes it. */
export const ROOM_ITEM = {
  sellerId: "casa",
  title: "Hotel Aurora, Lisbon — Double room, 3 nights",
  kind: {
    case: "hotelStay" as const,
    value: { hotelId: "h-aurora", roomId: "DBL", checkIn: { year: 2027, month: 3, day: 10 }, checkOut: { year: 2027, month: 3, day: 13 }, starRating: 4 },
  },
};

/** A quote token as search signs it: "<quote>.<signature>" in base64url. */
export const QUOTE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The example quote of Ana's room: signed with the development secret (the one
 * payment behind the BFF under verification trusts) for customer "cus_ana", EUR 500.00
 * listed, EUR 100.00 off, issued in 2099 so that it is still valid whenever
 * the pact is verified; deterministic (an HMAC), so the pact file is stable.
 */
export const ROOM_QUOTE = testQuote("cus_ana", ROOM_ITEM, 40_000n, 10_000n, { issued: new Date("2099-01-01T00:00:00Z") });

/**
 * GetHotel for a signed-in customer: the hotel page's heading (name, stars,
 * city, country), each room (name, sleeps, offers, seller) with its price —
 * listed, the wallet markdown, what is paid, fresh, the flexible option's
 * price and the quote Book sends — and the wallet note.
 */
export const HOTEL_PAGE = {
  hotel: {
    hotelId: "h-aurora",
    name: like("Hotel Aurora"),
    cityName: like("Lisbon"),
    countryCode: regex(/^[A-Z]{2}$/, "PT"),
    starRating: integer(4),
    rooms: eachLike({
      roomId: like("DBL"),
      name: like("Double room"),
      maxOccupancy: integer(2),
      offerCount: integer(1),
      price: {
        listed: money("50000"),
        markdown: money("10000"),
        price: money("40000"),
        status: enumValue("PRICE_STATUS_FRESH"),
        sellerId: like("casa"),
        flexible: money("5000"),
        quote: regex(QUOTE, ROOM_QUOTE),
      },
    }),
  },
  walletAvailable: money("10000"),
};

/** A confirmed hotel stay in "My trips": state badge, title, dates, amounts, seller reference, Details and Cancel. */
export const CONFIRMED_TRIP = {
  paymentId: regex(/^pay_\S+$/, PAYMENT_ID),
  reservationId: regex(/^res_\S+$/, RESERVATION_ID),
  state: enumValue("TRIP_STATE_CONFIRMED"),
  item: {
    title: like("Hotel Aurora, Lisbon — Double room, 3 nights"),
    hotelStay: { checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 13) },
  },
  amount: money("40000"),
  markdown: money("10000"),
  sellerReference: like("CASA-000123"),
  createTime: regex(RFC3339, "2027-02-01T10:00:00Z"),
};

/** The trip CancelTrip answers: the list replaces it by payment id, and says what went back to the card. */
export const CANCELLED_TRIP = {
  paymentId: regex(/^pay_\S+$/, PAYMENT_ID),
  reservationId: regex(/^res_\S+$/, RESERVATION_ID),
  state: enumValue("TRIP_STATE_CANCELLED"),
  refunded: money("40000"),
};

/** The cancel dialog: what goes back to the card and to the wallet, and the policy in words. */
export const CANCELLATION_QUOTE = {
  refund: money("40000"),
  walletRefund: money("10000"),
  policy: like("Free cancellation: the booking is not yet confirmed"),
};

/** The wallet page: the balance lines and each history line's amount (by its id). */
export const WALLET_PAGE = {
  available: money("10000"),
  held: { currency: regex(/^[A-Z]{3}$/, "EUR") },
  transactions: eachLike({ transactionId: like("t1"), amount: money("10000") }),
};

/** The destination box: each suggestion's label, kind ("city" or "hotel") and detail. */
export const SUGGESTIONS = {
  destinations: eachLike({ label: like("Lisbon"), kind: regex(/^(city|hotel)$/, "city"), detail: like("Portugal") }),
};

/** The flight form's airport list: code, city, country. */
export const AIRPORTS = {
  airports: eachLike({ code: regex(/^[A-Z]{3}$/, "LIS"), cityName: like("Lisbon"), countryCode: regex(/^[A-Z]{2}$/, "PT") }),
};

/** Who is signed in now (SignUp, SignIn, GetSession) and the CSRF token from now on. */
export const signedInAs = (customerId: string, displayName: string, csrfExample: string) => ({
  customer: { customerId: like(customerId), displayName: like(displayName) },
  csrfToken: regex(/^\S+$/, csrfExample),
});
