// SkyLark Air: an airline with a JSON API we pull. Airports carry their IANA
// zone; schedules give departure and arrival as LOCAL times at each airport,
// which become UTC instants here; fares are decimal strings in USD, which
// become EUR minor units. Fares are throttled and each request counts as a
// search on SkyLark's side.
//   GET /v1/version             {"version"}, ETag = the version; If-None-Match → 304 when unchanged
//   GET /v1/airports            {"airports":[{iata,name,city,country,tz}]}
//   GET /v1/routes              {"routes":[{from,to}]}
//   GET /v1/schedules?from&to   {"flights":[{carrier,carrier_name,number,from,to,date,departs,arrives,aircraft,services}]}
//   GET /v1/fares?from&to&date  {"currency":"USD","fares":[{number,date,cabin,price,seats}]}   (throttled)
//   POST /v2/bookings {"booking_ref","flights":["SL123-2026-12-01",…]}
//                     201 (200 on a repeat) {"booking_ref","locator","status":"TICKETED"} | 409 {"status":"REFUSED","reason"}
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Context } from "../../../endpoints/context.js";
import { AirportSchema, FlightSchema, type Airport, type Flight } from "../../../gen/itinera/catalog/v1/catalog_pb.js";
import { FlightFareSchema, PriceSource, type FlightFare } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Date as CalendarDate } from "../../../gen/itinera/type/v1/date_pb.js";
import type { Item } from "../../../gen/itinera/type/v1/item_pb.js";
import { flightIdOf, type BookingResult, type CancelResult, type Listings, type Route, type SellerAdapter } from "../adapter.js";
import { formatDate, parseDate } from "../calendar.js";
import type { FxTable } from "../fx.js";
import { SellerHttp } from "../seller-http.js";
import { cityId } from "../synonyms.js";
import { TimeZones } from "../time-zones.js";
import { cancelAnswer, flightsOf, isRefusal, jsonBookingAnswer, jsonReason } from "./booking.js";
import { DEFAULT_BOOK_TIMEOUT_MS, DEFAULT_PULL_TIMEOUT_MS, type AdapterOptions } from "./options.js";
import { integer, list, mapLimit, optionalList, optionalText, record, SellerDataError, strings, text, within } from "./fields.js";

/** Routes whose schedules make one page of listings. */
const ROUTES_PER_PAGE = 25;
/** Schedule requests in flight at once (they are not throttled, but be polite). */
const SCHEDULE_CONCURRENCY = 4;

export function skylarkAdapter(opts: AdapterOptions): SellerAdapter {
  const http = new SellerHttp(opts);
  const zones = new TimeZones();
  const now = opts.now ?? (() => new Date());
  const pull = { timeoutMs: opts.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS };
  const sellerId = opts.sellerId;

  return {
    id: sellerId,
    name: "SkyLark Air",
    feed: "pull",

    feedVersion: (ctx, known) => http.feedVersion(ctx, "/v1/version", known, pull),

    async *pullListings(ctx: Context): AsyncIterable<Listings> {
      const airports = parseAirports(await http.getJson(ctx, "/v1/airports", pull), zones);
      const zoneOf = new Map(airports.map((a) => [a.code, a.timeZone]));
      const routes = parseRoutes(await http.getJson(ctx, "/v1/routes", pull));
      for (let i = 0; i < routes.length; i += ROUTES_PER_PAGE) {
        const pages = await mapLimit(routes.slice(i, i + ROUTES_PER_PAGE), SCHEDULE_CONCURRENCY, (r) =>
          http.getJson(ctx, "/v1/schedules", { ...pull, query: { from: r.origin, to: r.destination } }),
        );
        const flights = pages.flatMap((page) => parseSchedules(page, sellerId, zoneOf, zones));
        yield { hotels: [], flights, airports, cityAliases: new Map() };
      }
    },

    async quoteFlights(ctx: Context, route: Route, date: CalendarDate): Promise<FlightFare[]> {
      const body = await http.getJson(ctx, "/v1/fares", {
        throttled: true,
        query: { from: route.origin, to: route.destination, date: formatDate(date) },
      });
      return parseFares(body, sellerId, opts.fx, now());
    },

    async book(ctx: Context, ref: string, item: Item): Promise<BookingResult> {
      const flights = flightsOf(item, "SkyLark Air");
      if (isRefusal(flights)) return flights;
      // SkyLark names a dated departure by number and local date: our flight id's very parts.
      const body = JSON.stringify({ booking_ref: ref, flights: flights.map((f) => flightIdOf(f.flightNumber, f.localDate)) });
      const answer = await http.post(ctx, "/v2/bookings", body, "application/json", {
        timeoutMs: opts.bookTimeoutMs ?? DEFAULT_BOOK_TIMEOUT_MS,
      });
      return jsonBookingAnswer(answer, "SkyLark Air", "locator");
    },

    async cancel(ctx: Context, ref: string): Promise<CancelResult> {
      const answer = await http.post(ctx, "/v2/bookings/cancel", JSON.stringify({ booking_ref: ref }), "application/json", {
        timeoutMs: opts.bookTimeoutMs ?? DEFAULT_BOOK_TIMEOUT_MS,
      });
      return cancelAnswer(answer, "SkyLark Air", jsonReason);
    },

    breakerState: () => http.breakerState(),
    close: () => http.close(),
  };
}

/** /v1/airports → Airport messages (our city id as given, else from the city's name and country). */
export function parseAirports(body: unknown, zones: TimeZones): Airport[] {
  const doc = record(body, "airports response");
  return list(doc.airports, "airports").map((item, i) => {
    const what = `airports[${i}]`;
    const a = record(item, what);
    const city = text(a, "city", what);
    const country = text(a, "country", what).toUpperCase();
    const tz = text(a, "tz", what);
    if (!zones.isKnown(tz)) throw new SellerDataError(`${what}.tz "${tz}" is not an IANA time zone`);
    return create(AirportSchema, {
      code: text(a, "iata", what).toUpperCase(),
      name: text(a, "name", what),
      cityId: optionalText(a, "city_id") || cityId(city, country),
      cityName: city,
      countryCode: country,
      timeZone: tz,
    });
  });
}

/** /v1/routes → routes. */
export function parseRoutes(body: unknown): Route[] {
  const doc = record(body, "routes response");
  return list(doc.routes, "routes").map((item, i) => {
    const r = record(item, `routes[${i}]`);
    return { origin: text(r, "from", `routes[${i}]`), destination: text(r, "to", `routes[${i}]`) };
  });
}

/** /v1/schedules → Flight messages: local times at each airport's zone → UTC instants. */
export function parseSchedules(
  body: unknown,
  sellerId: string,
  zoneOf: ReadonlyMap<string, string>,
  zones: TimeZones,
): Flight[] {
  const doc = record(body, "schedules response");
  return list(doc.flights, "flights").map((item, i) => {
    const what = `flights[${i}]`;
    const f = record(item, what);
    const number = text(f, "number", what);
    const origin = text(f, "from", what);
    const destination = text(f, "to", what);
    const date = text(f, "date", what);
    const departureZone = zoneOf.get(origin);
    const arrivalZone = zoneOf.get(destination);
    if (!departureZone || !arrivalZone) {
      throw new SellerDataError(`${what}: airport ${departureZone ? destination : origin} is not among the seller's airports`);
    }
    return within(what, () =>
      create(FlightSchema, {
        flightId: flightIdOf(number, date),
        carrierCode: text(f, "carrier", what),
        carrierName: optionalText(f, "carrier_name"),
        flightNumber: number,
        origin,
        destination,
        departureTime: timestampFromMs(zones.toInstantMs(text(f, "departs", what), departureZone)),
        arrivalTime: timestampFromMs(zones.toInstantMs(text(f, "arrives", what), arrivalZone)),
        departureDate: parseDate(date),
        aircraft: optionalText(f, "aircraft"),
        cabinServices: strings(optionalList(f, "services", what), `${what}.services`),
        sellerIds: [sellerId],
      }),
    );
  });
}

/** /v1/fares → live FlightFare messages in EUR. */
export function parseFares(body: unknown, sellerId: string, fx: FxTable, quotedAt: Date): FlightFare[] {
  const doc = record(body, "fares response");
  const currency = text(doc, "currency", "fares response").toUpperCase();
  return list(doc.fares, "fares").map((item, i) => {
    const what = `fares[${i}]`;
    const f = record(item, what);
    return within(what, () =>
      create(FlightFareSchema, {
        flightId: flightIdOf(text(f, "number", what), formatDate(parseDate(text(f, "date", what)))),
        sellerId,
        cabin: text(f, "cabin", what),
        price: fx.decimalToEur(text(f, "price", what), currency),
        seatsLeft: integer(f, "seats", what),
        source: PriceSource.LIVE,
        priceTime: timestampFromMs(quotedAt.getTime()),
      }),
    );
  });
}
