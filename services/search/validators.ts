// What search accepts, checked by the validation middleware before the
// service runs: every bad field at once, named by its proto path
// ("query.check_in"). "Today" is the UTC date of the injected clock. Whether
// an airport code is known is the catalog's to say: the service checks that.
import {
  date,
  dateAfter,
  each,
  isCalendarDate,
  maxLen,
  pageSize,
  pattern,
  required,
  validator,
  violation,
  type Check,
} from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { FlightQuery, HotelQuery, SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { daysBetween, utcDay, type CalendarDay } from "./dates.js";

export const MAX_NIGHTS = 30;
export const MAX_PAGE_SIZE = 50;
const IATA = /^[A-Z]{3}$/;

export interface SearchValidatorOptions {
  /** The clock "today" comes from. */
  now: () => Date;
}

export function searchValidators(opts: SearchValidatorOptions): Validators<typeof SearchService> {
  const hotels = validator((req: { query?: HotelQuery }) =>
    req.query === undefined ? [violation("query", "required", "is required")] : hotelQuery(req.query, utcDay(opts.now())),
  );
  const flights = validator((req: { query?: FlightQuery }) =>
    req.query === undefined ? [violation("query", "required", "is required")] : flightQuery(req.query, utcDay(opts.now())),
  );
  return { searchHotels: hotels, streamHotels: hotels, searchFlights: flights, streamFlights: flights };
}

function hotelQuery(q: HotelQuery, today: CalendarDay): Check[] {
  const byIds = q.hotelIds.length > 0;
  return [
    byIds ? hotelIds(q) : [required("query.query", q.query, { maxLen: 200 }), minLen("query.query", q.query, 2)],
    maxLen("query.page_token", q.pageToken, 1024),
    date("query.check_in", q.checkIn),
    notPast("query.check_in", q.checkIn, today),
    date("query.check_out", q.checkOut),
    dateAfter("query.check_out", q.checkOut, "query.check_in", q.checkIn),
    maxNights("query.check_out", q.checkIn, q.checkOut),
    maxLen("query.customer_id", q.customerId, 64),
    pageSize("query.page_size", q.pageSize, MAX_PAGE_SIZE),
  ];
}

/** Hotels by id instead of words: 1 to MAX_PAGE_SIZE ids, no words, no page. */
function hotelIds(q: HotelQuery): Check[] {
  return [
    q.query !== "" && violation("query.query", "exclusive", "must be empty when query.hotel_ids is given"),
    q.pageToken !== "" && violation("query.page_token", "exclusive", "must be empty when query.hotel_ids is given: hotels by id come in one page"),
    q.hotelIds.length > MAX_PAGE_SIZE && violation("query.hotel_ids", "max_items", `must list at most ${MAX_PAGE_SIZE} ids`),
    q.hotelIds.length <= MAX_PAGE_SIZE && each("query.hotel_ids", q.hotelIds, (path, id) => required(path, id, { maxLen: 64 })),
  ];
}

function flightQuery(q: FlightQuery, today: CalendarDay): Check[] {
  return [
    airport("query.origin", q.origin),
    airport("query.destination", q.destination),
    q.origin === q.destination && q.origin !== "" &&
      violation("query.destination", "distinct", "must differ from query.origin"),
    date("query.departure_date", q.departureDate),
    notPast("query.departure_date", q.departureDate, today),
    q.returnDate !== undefined && [
      date("query.return_date", q.returnDate),
      notBefore("query.return_date", q.returnDate, "query.departure_date", q.departureDate),
    ],
    maxLen("query.customer_id", q.customerId, 64),
  ];
}

function airport(field: string, code: string): Check {
  return [required(field, code), pattern(field, code, IATA, "an IATA airport code: three capital letters")];
}

function minLen(field: string, value: string, min: number): Check {
  return [...value.trim()].length >= min ? undefined : violation(field, "min_len", `must be at least ${min} characters`);
}

/** "not_past": today (by the clock, UTC) or later; skipped for an invalid date. */
function notPast(field: string, value: CalendarDay | undefined, today: CalendarDay): Check {
  if (value === undefined || !isCalendarDate(value)) return undefined;
  return daysBetween(today, value) >= 0 ? undefined : violation(field, "not_past", "must be today or later");
}

/** "date_order": on or after `earlier`; skipped when either is invalid. */
function notBefore(field: string, later: CalendarDay, earlierField: string, earlier: CalendarDay | undefined): Check {
  if (earlier === undefined || !isCalendarDate(later) || !isCalendarDate(earlier)) return undefined;
  return daysBetween(earlier, later) >= 0 ? undefined : violation(field, "date_order", `must be on or after ${earlierField}`);
}

/** "max_nights": check-out at most MAX_NIGHTS nights after check-in; skipped when either is invalid. */
function maxNights(field: string, checkIn: CalendarDay | undefined, checkOut: CalendarDay | undefined): Check {
  if (!checkIn || !checkOut || !isCalendarDate(checkIn) || !isCalendarDate(checkOut)) return undefined;
  return daysBetween(checkIn, checkOut) <= MAX_NIGHTS
    ? undefined
    : violation(field, "max_nights", `must be at most ${MAX_NIGHTS} nights after query.check_in`);
}
