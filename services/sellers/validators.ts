// What the sellers service accepts, per method, checked by the validation
// middleware before the service runs: every bad field at once, one each.
import { compareDates, date, dateAfter, isCalendarDate, maxLen, pattern, required, validator, violation, type Check } from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import { addDays, daysBetween, utcDateOf } from "./calendar.js";

const IATA = /^[A-Z]{3}$/;
const SELLER_ID = /^[a-z][a-z0-9-]{0,63}$/;
/** The longest stay a seller quotes (casa's /xml/rates limit). */
export const MAX_STAY_NIGHTS = 90;

/** The sellers service's validators; `now` decides what "in the past" means. */
export function sellersValidators(now: () => Date = () => new Date()): Validators<typeof SellersService> {
  const airport = (field: string, value: string) => [
    required(field, value),
    pattern(field, value, IATA, "an IATA airport code of three capital letters, such as LIS"),
  ];
  const sellerId = (value: string) => [
    required("seller_id", value),
    pattern("seller_id", value, SELLER_ID, "a seller id such as skylark"),
  ];
  // A local date somewhere on Earth may still be yesterday's UTC date.
  const notPast = (field: string, value: CalendarDate | undefined): Check =>
    value !== undefined && isCalendarDate(value) && compareDates(value, addDays(utcDateOf(now()), -1)) < 0
      ? violation(field, "not_past", "must not be in the past")
      : undefined;

  return {
    quoteFlights: validator((req) => [
      airport("origin", req.origin),
      airport("destination", req.destination),
      req.origin !== "" && req.origin === req.destination &&
        violation("destination", "distinct", "must differ from origin"),
      date("departure_date", req.departureDate),
      notPast("departure_date", req.departureDate),
    ]),
    quoteHotelStay: validator((req) => [
      required("hotel_id", req.hotelId, { maxLen: 64 }),
      date("check_in", req.checkIn),
      notPast("check_in", req.checkIn),
      date("check_out", req.checkOut),
      dateAfter("check_out", req.checkOut, "check_in", req.checkIn),
      stayLength(req.checkIn, req.checkOut),
    ]),
    syncSeller: validator((req) => [sellerId(req.sellerId)]),
    receivePush: validator((req) => [
      sellerId(req.sellerId),
      req.body.length === 0 && violation("body", "required", "must not be empty"),
      // Required: the signature covers it (push.ts), so it travels beside the body, not only in it.
      required("push_id", req.pushId, { maxLen: 128 }),
    ]),
  };
}

function stayLength(checkIn: CalendarDate | undefined, checkOut: CalendarDate | undefined): Check {
  if (!checkIn || !checkOut || !isCalendarDate(checkIn) || !isCalendarDate(checkOut)) return undefined;
  return daysBetween(checkIn, checkOut) > MAX_STAY_NIGHTS
    ? violation("check_out", "range", `must be at most ${MAX_STAY_NIGHTS} nights after check_in`)
    : undefined;
}
