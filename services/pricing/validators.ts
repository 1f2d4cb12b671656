// What pricing accepts, per method, checked by the validation middleware
// before the service runs: every bad field at once, one violation each
// (at most MAX_VIOLATIONS, so that a batch of 50,000 bad rates does not
// answer with 50,000 messages).
import {
  date,
  dateAfter,
  each,
  intRange,
  isCalendarDate,
  maxLen,
  pattern,
  positive,
  required,
  validator,
  violation,
  type Check,
} from "../../endpoints/rules.js";
import type { Validator, Validators } from "../../endpoints/service.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import type { NightlyRate, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { daysBetween, isoDate, utcDay } from "./dates.js";
import { MARKET_CURRENCY } from "./service.js";

export const MAX_RATES = 50_000;
export const MAX_HOTELS = 500;
export const MAX_STAY_NIGHTS = 30;
export const MAX_LIVE_BUDGET_MS = 10_000;
/** How far ahead a stay or a flight can be priced. */
export const MAX_DAYS_AHEAD = 365;
export const MAX_VIOLATIONS = 100;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const SELLER_ID = /^[a-z][a-z0-9-]{0,31}$/;
const IATA = /^[A-Z]{3}$/;

export function pricingValidators(opts: { now?: () => Date } = {}): Validators<typeof PricingService> {
  const now = opts.now ?? (() => new Date());
  const id = (field: string, value: string) => [required(field, value), pattern(field, value, ID, "an id of letters, digits, '.', '_', ':' or '-' (at most 64)")];

  /** A date from yesterday (local dates run behind UTC in the west) to MAX_DAYS_AHEAD days from today. */
  const upcoming = (field: string, value: CalendarDate | undefined): Check => {
    const bad = date(field, value);
    if (bad || !value) return bad;
    const days = daysBetween(utcDay(now()), isoDate(value));
    if (days < -1) return violation(field, "not_past", "must not be in the past");
    if (days > MAX_DAYS_AHEAD) return violation(field, "range", `must be at most ${MAX_DAYS_AHEAD} days from today`);
    return undefined;
  };

  return {
    ingestHotelRates: capped(
      validator((req) => [
        required("seller_id", req.sellerId),
        pattern("seller_id", req.sellerId, SELLER_ID, "a seller id such as \"casa\" (lower case, at most 32)"),
        (req.rates.length < 1 || req.rates.length > MAX_RATES) &&
          violation("rates", "range", `must hold from 1 to ${MAX_RATES} rates`),
        each("rates", req.rates, rate(id)),
        duplicates(req.rates),
      ]),
    ),
    getHotelOffers: validator((req) => [
      (req.hotelIds.length < 1 || req.hotelIds.length > MAX_HOTELS) &&
        violation("hotel_ids", "range", `must hold from 1 to ${MAX_HOTELS} hotel ids`),
      req.hotelIds.length <= MAX_HOTELS && each("hotel_ids", req.hotelIds, (path, h) => id(path, h)),
      upcoming("check_in", req.checkIn),
      date("check_out", req.checkOut),
      dateAfter("check_out", req.checkOut, "check_in", req.checkIn),
      stayLength(req.checkIn, req.checkOut),
      intRange("live_budget_ms", req.liveBudgetMs, 0, MAX_LIVE_BUDGET_MS),
    ]),
    getFlightFares: validator((req) => [
      required("origin", req.origin),
      pattern("origin", req.origin, IATA, "an IATA airport code (three capital letters)"),
      required("destination", req.destination),
      pattern("destination", req.destination, IATA, "an IATA airport code (three capital letters)"),
      req.origin === req.destination && violation("destination", "distinct", "must differ from origin"),
      upcoming("departure_date", req.departureDate),
    ]),
    invalidateRoom: validator((req) => [id("hotel_id", req.hotelId), id("room_id", req.roomId), maxLen("reason", req.reason, 256)]),
  };
}

function rate(id: (field: string, value: string) => Check) {
  return (path: string, r: NightlyRate): Check => [
    id(`${path}.hotel_id`, r.hotelId),
    id(`${path}.room_id`, r.roomId),
    date(`${path}.night`, r.night),
    eurPrice(`${path}.price`, r.price),
    intRange(`${path}.available`, r.available, 0, 1_000_000),
  ];
}

function eurPrice(field: string, price: Money | undefined): Check {
  if (!price) return violation(field, "required", "is required");
  return [
    positive(`${field}.amount_minor`, price.amountMinor),
    price.currency !== MARKET_CURRENCY &&
      violation(`${field}.currency`, "currency", `must be ${MARKET_CURRENCY}: sellers convert every price before pricing stores it`),
  ];
}

/** "unique": one rate per hotel, room and night in a batch. */
function duplicates(rates: readonly NightlyRate[]): Check {
  const first = new Map<string, number>();
  return rates.map((r, i) => {
    if (!r.night) return undefined;
    const key = `${r.hotelId}\u0000${r.roomId}\u0000${r.night.year}-${r.night.month}-${r.night.day}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, i);
      return undefined;
    }
    return violation(`rates[${i}]`, "unique", `repeats rates[${earlier}] (same hotel_id, room_id and night)`);
  });
}

/** "range" on check_out: a stay of at most MAX_STAY_NIGHTS nights. */
function stayLength(checkIn: CalendarDate | undefined, checkOut: CalendarDate | undefined): Check {
  if (!checkIn || !checkOut || !isCalendarDate(checkIn) || !isCalendarDate(checkOut)) return undefined;
  const nights = daysBetween(isoDate(checkIn), isoDate(checkOut));
  return nights > MAX_STAY_NIGHTS && violation("check_out", "range", `must be at most ${MAX_STAY_NIGHTS} nights after check_in`);
}

function capped<I>(v: Validator<I>): Validator<I> {
  return (req) => v(req).slice(0, MAX_VIOLATIONS);
}
