// What the browser's API accepts, checked by the validation middleware before
// the service runs, with the web request's own field names. Rules only the
// owner knows stay with the owner and come back under these names: identity
// judges e-mail addresses and passwords (same field names), search judges
// dates against today and the longest stay (its "query.check_in" is renamed
// "check_in").
import { refChecks } from "../../endpoints/dead-letters.js";
import {
  currencyCodes,
  intRange,
  date,
  dateAfter,
  maxLen,
  money,
  pageSize,
  pattern,
  required,
  validator,
  violation,
  type Check,
} from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import { quoteChecks } from "../../platform/quotes.js";
import { MAX_DEAD_LETTERS_PER_PROCESS } from "./operator.js";

const IATA = /^[A-Z]{3}$/;
/** A dated flight id as search answers it: carrier and number, then the local departure date. */
const FLIGHT_ID = /^[A-Z0-9]{2,8}-\d{4}-\d{2}-\d{2}$/;
export const MAX_PAGE_SIZE = 50;

export function webValidators(): Validators<typeof WebService> {
  const currencies = currencyCodes();
  const id = (field: string, value: string) => required(field, value, { maxLen: 128 });
  const airport = (field: string, value: string) => [
    required(field, value),
    pattern(field, value, IATA, "an IATA airport code: three capital letters"),
  ];
  return {
    suggestDestinations: validator((req) => [required("text", req.text, { maxLen: 100 }), minLen("text", req.text, 2)]),
    streamHotels: validator((req) => [
      required("query", req.query, { maxLen: 200 }),
      minLen("query", req.query, 2),
      date("check_in", req.checkIn),
      date("check_out", req.checkOut),
      dateAfter("check_out", req.checkOut, "check_in", req.checkIn),
      maxLen("page_token", req.pageToken, 1024),
    ]),
    streamFlights: validator((req) => [
      airport("origin", req.origin),
      airport("destination", req.destination),
      req.origin === req.destination && req.origin !== "" && violation("destination", "distinct", "must differ from origin"),
      date("departure_date", req.departureDate),
      req.returnDate !== undefined && date("return_date", req.returnDate),
    ]),
    getHotel: validator((req) => [
      id("hotel_id", req.hotelId),
      date("check_in", req.checkIn),
      date("check_out", req.checkOut),
      dateAfter("check_out", req.checkOut, "check_in", req.checkIn),
    ]),
    startBooking: validator((req) => [
      required("idempotency_key", req.idempotencyKey, { maxLen: 128 }),
      // The page sends the quotes, never an item or a price of its own.
      req.item && violation("item", "unset", "is no longer accepted: send the quotes of the prices shown"),
      req.shownPrice && violation("shown_price", "unset", "is no longer accepted: the price comes from the quotes"),
      quoteChecks("quotes", req.quotes),
    ]),
    getTrip: validator((req) => [
      req.paymentId === "" && req.reservationId === "" && violation("payment_id", "required", "or reservation_id must be given"),
      req.paymentId !== "" && req.reservationId !== "" && violation("reservation_id", "exclusive", "must be empty when payment_id is given"),
      maxLen("payment_id", req.paymentId, 128),
      maxLen("reservation_id", req.reservationId, 128),
    ]),
    watchTrip: validator((req) => [id("payment_id", req.paymentId)]),
    listTrips: validator((req) => [pageSize("page_size", req.pageSize, MAX_PAGE_SIZE), maxLen("page_token", req.pageToken, 512)]),
    quoteCancellation: validator((req) => [id("reservation_id", req.reservationId)]),
    cancelTrip: validator((req) => [id("reservation_id", req.reservationId)]),
    getWallet: validator((req) => [pageSize("page_size", req.pageSize, MAX_PAGE_SIZE), maxLen("page_token", req.pageToken, 512)]),
    listSellerHealth: validator(() => []),
    listOperatorDeadLetters: validator((req) => [req.limitPerProcess !== 0 && intRange("limit_per_process", req.limitPerProcess, 1, MAX_DEAD_LETTERS_PER_PROCESS)]),
    replayOperatorDeadLetter: validator((req) => [required("process", req.process, { maxLen: 32 }), ...refChecks(req.group, req.messageId)]),
    discardOperatorDeadLetter: validator((req) => [required("process", req.process, { maxLen: 32 }), ...refChecks(req.group, req.messageId)]),
    // The window and bucket are booking's rule (it answers INVALID_ARGUMENT under the same names); the threshold payment's.
    getOperatorBookingStats: validator(() => []),
    listOperatorPendingPayments: validator((req) => [pageSize("page_size", req.pageSize, MAX_PAGE_SIZE), maxLen("page_token", req.pageToken, 512)]),
  };
}

function minLen(field: string, value: string, min: number): Check {
  return [...value.trim()].length >= min ? undefined : violation(field, "min_len", `must be at least ${min} characters`);
}
