// What booking accepts, per method, checked by the validation middleware
// before the service runs: every bad field at once, one violation each. The
// service runs createReservationChecks itself too, so that no caller — wired
// with the middleware or not — can write a reservation from nonsense.
import {
  currencyCodes,
  date,
  dateAfter,
  intRange,
  maxLen,
  money,
  pageSize,
  required,
  validator,
  violation,
  type Check,
} from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { BookingService, CreateReservationRequest } from "../../gen/itinera/booking/v1/booking_pb.js";
import type { Item } from "../../gen/itinera/type/v1/item_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import { nightCount } from "./messages.js";
import { statsChecks } from "./stats.js";

/** Booking takes payments in one currency (apis.md: EUR everywhere in the write path). */
export const BOOKING_CURRENCY = "EUR";
/** Longest stay: bounds the room-nights one reservation counts down. */
export const MAX_NIGHTS = 365;

const id = (field: string, value: string) => required(field, value, { maxLen: 64 });

export function bookingValidators(): Validators<typeof BookingService> {
  const currencies = currencyCodes();
  return {
    createReservation: validator((req) => createReservationChecks(req, currencies)),
    getReservation: validator((req) => [id("reservation_id", req.reservationId)]),
    listReservations: validator((req) => [pageSize("page_size", req.pageSize, 100), maxLen("page_token", req.pageToken, 200)]),
    quoteCancellation: validator((req) => [id("reservation_id", req.reservationId)]),
    cancelReservation: validator((req) => [id("reservation_id", req.reservationId)]),
    confirmReservation: validator((req) => [
      id("reservation_id", req.reservationId),
      required("seller_reference", req.sellerReference, { maxLen: 200 }),
    ]),
    failReservation: validator((req) => [
      id("reservation_id", req.reservationId),
      required("reason", req.reason, { maxLen: 500 }),
      req.refunded && req.refunded.amountMinor < 0n && violation("refunded.amount_minor", "gte_zero", "must not be negative"),
      req.refunded && req.refunded.amountMinor > 0n && money("refunded", req.refunded, currencies),
    ]),
    countReservationsByState: validator(statsChecks),
  };
}

/** Every check of a CreateReservationRequest; the service runs them too (see the file comment). */
export function createReservationChecks(req: CreateReservationRequest, currencies: ReadonlySet<string>): Check[] {
  return [
    id("payment_id", req.paymentId),
    id("customer_id", req.customerId),
    itemChecks("item", req.item),
    money("amount", req.amount, currencies, { positive: true }),
    req.amount &&
      currencies.has(req.amount.currency) &&
      req.amount.currency !== BOOKING_CURRENCY &&
      violation("amount.currency", "currency", `must be ${BOOKING_CURRENCY}: booking takes payments in ${BOOKING_CURRENCY} only`),
    markdownChecks(req.markdown, req.amount),
  ];
}

function markdownChecks(markdown: Money | undefined, amount: Money | undefined): Check {
  if (!markdown) return undefined; // no markdown: the wallet pays nothing
  if (markdown.amountMinor < 0n) return violation("markdown.amount_minor", "gte_zero", "must not be negative");
  const zeroWithoutCurrency = markdown.amountMinor === 0n && markdown.currency === "";
  if (!zeroWithoutCurrency && amount && markdown.currency !== amount.currency) {
    return violation("markdown.currency", "same_currency", "must be the currency of amount");
  }
  return undefined;
}

function itemChecks(field: string, item: Item | undefined): Check {
  if (!item) return violation(field, "required", "is required");
  const kind = item.kind;
  const checks: Check[] = [id(`${field}.seller_id`, item.sellerId), maxLen(`${field}.title`, item.title, 200)];
  if (kind.case === "hotelStay") {
    const stay = kind.value;
    const at = `${field}.hotel_stay`;
    checks.push(
      id(`${at}.hotel_id`, stay.hotelId),
      id(`${at}.room_id`, stay.roomId),
      date(`${at}.check_in`, stay.checkIn),
      date(`${at}.check_out`, stay.checkOut),
      dateAfter(`${at}.check_out`, stay.checkOut, "check_in", stay.checkIn),
      // 0: the catalog does not know (the policy then treats the hotel as an ordinary one)
      intRange(`${at}.star_rating`, stay.starRating, 0, 5),
    );
    const valid = !checks.some(Boolean);
    if (valid && stay.checkIn && stay.checkOut && nightCount(stay.checkIn, stay.checkOut) > MAX_NIGHTS) {
      checks.push(violation(`${at}.check_out`, "range", `must be at most ${MAX_NIGHTS} nights after check_in`));
    }
  } else if (kind.case === "flightTrip") {
    const trip = kind.value;
    checks.push(id(`${field}.flight_trip.outbound_flight_id`, trip.outboundFlightId), maxLen(`${field}.flight_trip.return_flight_id`, trip.returnFlightId, 64));
  } else {
    checks.push(violation(`${field}.kind`, "required", "must be a hotel_stay or a flight_trip"));
  }
  return checks;
}
