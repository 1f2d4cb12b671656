// What the catalog accepts, per method, checked by the validation middleware
// before the service runs: every bad field at once, one violation each, with
// paths in proto names ("hotels[3].star_rating").
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  date,
  each,
  intRange,
  maxLen,
  pageSize,
  pattern,
  required,
  validator,
  violation,
  type Check,
} from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { Airport, CatalogService, Flight, Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { MAX_PAGE_SIZE } from "./service.js";

export const MAX_HOTELS_PER_UPSERT = 500;
export const MAX_FLIGHTS_PER_UPSERT = 2000;
export const MAX_HOTEL_IDS = 500;
export const MAX_AIRPORT_CODES = 100;

const COUNTRY = /^[A-Z]{2}$/;
const IATA_AIRPORT = /^[A-Z]{3}$/;
const IATA_CARRIER = /^[A-Z0-9]{2}$/;
const CITY_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The catalog's validators. */
export function catalogValidators(): Validators<typeof CatalogService> {
  const sellerId = (value: string) => required("seller_id", value, { maxLen: 64 });
  const cityId = (field: string, value: string) => [
    required(field, value, { maxLen: 64 }),
    pattern(field, value, CITY_ID, 'a city id in lower case with dashes, like "lisbon-pt"'),
  ];
  const airportCode = (field: string, value: string) => [
    required(field, value),
    pattern(field, value, IATA_AIRPORT, 'an IATA airport code: 3 upper-case letters, like "LIS"'),
  ];

  const hotel = (path: string, h: Hotel): Check => [
    required(`${path}.hotel_id`, h.hotelId, { maxLen: 64 }),
    required(`${path}.name`, h.name, { maxLen: 200 }),
    cityId(`${path}.city_id`, h.cityId),
    required(`${path}.city_name`, h.cityName, { maxLen: 100 }),
    required(`${path}.country_code`, h.countryCode),
    pattern(`${path}.country_code`, h.countryCode, COUNTRY, 'an ISO-3166 alpha-2 code: 2 upper-case letters, like "PT"'),
    maxLen(`${path}.country_name`, h.countryName, 100),
    intRange(`${path}.star_rating`, h.starRating, 1, 5),
    maxLen(`${path}.address`, h.address, 300),
    each(`${path}.image_urls`, h.imageUrls, (p, url) => (isWebUrl(url) ? undefined : violation(p, "url", "must be an absolute http(s) URL"))),
    each(`${path}.rooms`, h.rooms, (p, r) => [
      required(`${p}.room_id`, r.roomId, { maxLen: 64 }),
      required(`${p}.name`, r.name, { maxLen: 200 }),
      intRange(`${p}.max_occupancy`, r.maxOccupancy, 1, 50),
    ]),
    duplicates(`${path}.rooms`, h.rooms.map((r) => r.roomId), "room_id"),
  ];

  const airport = (path: string, a: Airport): Check => [
    airportCode(`${path}.code`, a.code),
    required(`${path}.name`, a.name, { maxLen: 200 }),
    cityId(`${path}.city_id`, a.cityId),
    required(`${path}.city_name`, a.cityName, { maxLen: 100 }),
    required(`${path}.country_code`, a.countryCode),
    pattern(`${path}.country_code`, a.countryCode, COUNTRY, 'an ISO-3166 alpha-2 code: 2 upper-case letters, like "PT"'),
    required(`${path}.time_zone`, a.timeZone),
    !isTimeZone(a.timeZone) && violation(`${path}.time_zone`, "time_zone", 'must be an IANA time zone, like "Europe/Lisbon"'),
  ];

  const flight = (path: string, f: Flight): Check => [
    required(`${path}.flight_id`, f.flightId, { maxLen: 64 }),
    required(`${path}.carrier_code`, f.carrierCode),
    pattern(`${path}.carrier_code`, f.carrierCode, IATA_CARRIER, 'an IATA airline code: 2 upper-case letters or digits, like "SL"'),
    required(`${path}.carrier_name`, f.carrierName, { maxLen: 100 }),
    required(`${path}.flight_number`, f.flightNumber, { maxLen: 16 }),
    airportCode(`${path}.origin`, f.origin),
    airportCode(`${path}.destination`, f.destination),
    f.origin === f.destination && f.origin !== "" && violation(`${path}.destination`, "distinct", "must differ from origin"),
    required(`${path}.departure_time`, f.departureTime),
    required(`${path}.arrival_time`, f.arrivalTime),
    f.departureTime && f.arrivalTime && !isAfter(f.arrivalTime, f.departureTime) &&
      violation(`${path}.arrival_time`, "time_order", "must be after departure_time"),
    date(`${path}.departure_date`, f.departureDate),
    maxLen(`${path}.aircraft`, f.aircraft, 100),
  ];

  return {
    upsertHotels: validator((req) => [
      sellerId(req.sellerId),
      count("hotels", req.hotels.length, MAX_HOTELS_PER_UPSERT, "hotels"),
      req.hotels.length <= MAX_HOTELS_PER_UPSERT && [
        each("hotels", req.hotels, hotel),
        duplicates("hotels", req.hotels.map((h) => h.hotelId), "hotel_id"),
      ],
      Object.entries(req.cityAliases).map(([id, a]) => {
        const path = `city_aliases[${JSON.stringify(id)}]`;
        return [
          !CITY_ID.test(id) && violation(path, "pattern", 'must be keyed by a city id in lower case with dashes, like "lisbon-pt"'),
          a.aliases.length > 50 && violation(`${path}.aliases`, "max_items", "must list at most 50 aliases"),
          each(`${path}.aliases`, a.aliases, (p, alias) => required(p, alias, { maxLen: 64 })),
        ];
      }),
    ]),
    upsertFlights: validator((req) => [
      sellerId(req.sellerId),
      count("flights", req.flights.length, MAX_FLIGHTS_PER_UPSERT, "flights"),
      req.flights.length <= MAX_FLIGHTS_PER_UPSERT && [
        each("flights", req.flights, flight),
        duplicates("flights", req.flights.map((f) => f.flightId), "flight_id"),
      ],
      req.airports.length > 1000 && violation("airports", "max_items", "must list at most 1000 airports"),
      req.airports.length <= 1000 && each("airports", req.airports, airport),
    ]),
    searchHotels: validator((req) => [
      required("query", req.query),
      [...req.query.trim()].length < 2 && violation("query", "min_len", "must be at least 2 characters"),
      maxLen("query", req.query, 200),
      pageSize("page_size", req.pageSize, MAX_PAGE_SIZE),
      maxLen("page_token", req.pageToken, 1024),
    ]),
    getHotels: validator((req) => [
      count("hotel_ids", req.hotelIds.length, MAX_HOTEL_IDS, "ids"),
      req.hotelIds.length <= MAX_HOTEL_IDS && each("hotel_ids", req.hotelIds, (p, id) => required(p, id, { maxLen: 64 })),
    ]),
    listFlights: validator((req) => [
      airportCode("origin", req.origin),
      airportCode("destination", req.destination),
      req.origin === req.destination && req.origin !== "" && violation("destination", "distinct", "must differ from origin"),
      date("departure_date", req.departureDate),
    ]),
    listAirports: validator(() => []),
    getAirports: validator((req) => [
      req.codes.length === 0 && req.query.trim() === "" && violation("query", "required", "must not be empty when no codes are given"),
      req.codes.length > 0 && req.query !== "" && violation("query", "exclusive", "must be empty when codes are given"),
      req.query.trim() !== "" && [...req.query.trim()].length < 2 && violation("query", "min_len", "must be at least 2 characters"),
      maxLen("query", req.query, 100),
      req.codes.length > MAX_AIRPORT_CODES && violation("codes", "max_items", `must list at most ${MAX_AIRPORT_CODES} codes`),
      req.codes.length <= MAX_AIRPORT_CODES && each("codes", req.codes, airportCode),
    ]),
  };
}

/** "required" when empty, "max_items" beyond `max`. */
function count(field: string, n: number, max: number, what: string): Check {
  if (n === 0) return violation(field, "required", `must list at least one of the ${what}`);
  return n > max && violation(field, "max_items", `must list at most ${max} ${what}, got ${n}`);
}

/** "unique": each repeated id is reported on its second and later occurrences ("hotels[3].hotel_id"). */
function duplicates(field: string, ids: readonly string[], idField: string): Check {
  const first = new Map<string, number>();
  return ids.map((id, i) => {
    if (id === "") return undefined;
    const seen = first.get(id);
    if (seen === undefined) {
      first.set(id, i);
      return undefined;
    }
    return violation(`${field}[${i}].${idField}`, "unique", `must be unique: ${field}[${seen}] has the same ${idField}`);
  });
}

function isAfter(a: Timestamp, b: Timestamp): boolean {
  return a.seconds > b.seconds || (a.seconds === b.seconds && a.nanos > b.nanos);
}

function isWebUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === "https:" || protocol === "http:";
}

function isTimeZone(zone: string): boolean {
  if (zone === "") return true; // reported as required
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
