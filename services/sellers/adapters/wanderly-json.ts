// Wanderly's JSON documents → our messages: its pushed batches (hotel
// listings, nightly rates, fares) and its live quotes. Amounts are integer
// minor units of the currency named on each item (GBP), converted to EUR.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { HotelSchema, RoomSchema, type Hotel } from "../../../gen/itinera/catalog/v1/catalog_pb.js";
import {
  FlightFareSchema,
  NightlyRateSchema,
  PriceSource,
  type FlightFare,
  type HotelOffer,
  type NightlyRate,
} from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import { flightIdOf, hotelIdOf, type PushContents, type PushedFare, type Stay } from "../adapter.js";
import { formatDate, parseDate } from "../calendar.js";
import type { FxTable } from "../fx.js";
import { offersFromNightlyRates } from "../stay-offers.js";
import { integer, list, optionalList, optionalText, record, SellerDataError, strings, text, within, type Fields } from "./fields.js";

/** The amount of `key` (integer minor units of the item's currency) in EUR. */
function eur(o: Fields, key: string, currency: string, fx: FxTable, what: string) {
  const minor = integer(o, key, what);
  if (minor <= 0) throw new SellerDataError(`${what}.${key} must be positive`);
  return within(what, () => fx.minorToEur(minor, currency));
}

function currencyOf(o: Fields, fallback: string | undefined, what: string): string {
  const c = optionalText(o, "currency") || fallback;
  if (!c) throw new SellerDataError(`${what}.currency is missing`);
  return c.toUpperCase();
}

/** A hotel listing (casa's shape, in JSON) → a Hotel listed by `sellerId`. */
export function parseListing(item: unknown, sellerId: string, what: string): Hotel {
  const h = record(item, what);
  const city = record(h.city, `${what}.city`);
  const country = record(h.country, `${what}.country`);
  const stars = integer(h, "stars", what);
  if (stars < 1 || stars > 5) throw new SellerDataError(`${what}.stars must be from 1 to 5, got ${stars}`);
  return create(HotelSchema, {
    hotelId: hotelIdOf(text(h, "code", what)),
    name: text(h, "name", what),
    cityId: text(city, "id", `${what}.city`),
    cityName: text(city, "name", `${what}.city`),
    countryCode: text(country, "code", `${what}.country`).toUpperCase(),
    countryName: optionalText(country, "name"),
    starRating: stars,
    address: optionalText(h, "address"),
    amenities: strings(optionalList(h, "amenities", what), `${what}.amenities`),
    imageUrls: strings(optionalList(h, "images", what), `${what}.images`),
    rooms: optionalList(h, "rooms", what).map((r, j) => {
      const rw = `${what}.rooms[${j}]`;
      const room = record(r, rw);
      return create(RoomSchema, {
        roomId: text(room, "code", rw),
        name: optionalText(room, "name"),
        maxOccupancy: integer(room, "occupancy", rw),
        amenities: strings(optionalList(room, "amenities", rw), `${rw}.amenities`),
      });
    }),
    sellerIds: [sellerId],
  });
}

function parseRate(item: unknown, fx: FxTable, what: string): NightlyRate {
  const r = record(item, what);
  return within(what, () =>
    create(NightlyRateSchema, {
      hotelId: hotelIdOf(text(r, "property", what)),
      roomId: text(r, "room", what),
      night: parseDate(text(r, "night", what)),
      price: eur(r, "price_minor", currencyOf(r, undefined, what), fx, what),
      available: integer(r, "available", what),
    }),
  );
}

function parseFare(
  item: unknown,
  sellerId: string,
  fx: FxTable,
  source: PriceSource,
  at: Date,
  currency: string | undefined,
  what: string,
): PushedFare {
  const f = record(item, what);
  const number = text(f, "number", what);
  const origin = optionalText(f, "from").toUpperCase();
  const destination = optionalText(f, "to").toUpperCase();
  const fare = within(what, () =>
    create(FlightFareSchema, {
      flightId: flightIdOf(number, formatDate(parseDate(text(f, "date", what)))),
      sellerId,
      cabin: text(f, "cabin", what),
      price: eur(f, "price_minor", currencyOf(f, currency, what), fx, what),
      seatsLeft: integer(f, "seats", what),
      source,
      priceTime: timestampFromMs(at.getTime()),
    }),
  );
  return { fare, flightNumber: number, ...(origin && destination ? { route: { origin, destination } } : {}) };
}

/** {"new-york-us": ["NY", "NYC"]} → other names by city id (missing: none). */
function parseCityAliases(value: unknown): Map<string, string[]> {
  if (value === undefined || value === null) return new Map();
  return new Map(Object.entries(record(value, "city_aliases")).map(([id, names]) => [id, strings(names, `city_aliases.${id}`)]));
}

/** A push body (JSON bytes) → its normalised contents. */
export function parsePushBody(body: Uint8Array, sellerId: string, fx: FxTable): PushContents {
  let doc: Fields;
  try {
    doc = record(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)), "push");
  } catch (e) {
    if (e instanceof SellerDataError) throw e;
    throw new SellerDataError(`the push is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const sentAt = optionalText(doc, "sent_at");
  const at = sentAt && !Number.isNaN(Date.parse(sentAt)) ? new Date(sentAt) : new Date();
  return {
    pushId: optionalText(doc, "push_id"),
    listings: {
      hotels: optionalList(doc, "listings", "push").map((h, i) => parseListing(h, sellerId, `listings[${i}]`)),
      flights: [],
      airports: [],
      cityAliases: parseCityAliases(doc.city_aliases),
    },
    rates: optionalList(doc, "rates", "push").map((r, i) => parseRate(r, fx, `rates[${i}]`)),
    fares: optionalList(doc, "fares", "push").map((f, i) =>
      parseFare(f, sellerId, fx, PriceSource.FRESH, at, undefined, `fares[${i}]`),
    ),
  };
}

/** /api/quote/flights → live fares in EUR. */
export function parseFlightQuote(body: unknown, sellerId: string, fx: FxTable, quotedAt: Date): FlightFare[] {
  const doc = record(body, "flight quote");
  const currency = optionalText(doc, "currency") || undefined;
  return list(doc.fares, "fares").map(
    (f, i) => parseFare(f, sellerId, fx, PriceSource.LIVE, quotedAt, currency, `fares[${i}]`).fare,
  );
}

/**
 * /api/quote/hotel → live offers per room in EUR:
 * {"property","check_in","check_out","currency":"GBP","rooms":[{"room","total_minor","available","nights":[{"night","price_minor","available"}]}]}.
 * Each night is converted on its own and summed, as pricing sums pushed
 * nightly rates, so that a live total equals the precomputed one.
 */
export function parseHotelQuote(body: unknown, sellerId: string, fx: FxTable, stay: Stay, quotedAt: Date): HotelOffer[] {
  const doc = record(body, "hotel quote");
  const property = text(doc, "property", "hotel quote");
  const currency = currencyOf(doc, undefined, "hotel quote");
  const nights = list(doc.rooms, "rooms").flatMap((item, i) => {
    const what = `rooms[${i}]`;
    const room = record(item, what);
    const roomId = text(room, "room", what);
    return list(room.nights, `${what}.nights`).map((n, j) => {
      const nw = `${what}.nights[${j}]`;
      const night = record(n, nw);
      return within(nw, () =>
        create(NightlyRateSchema, {
          hotelId: hotelIdOf(property),
          roomId,
          night: parseDate(text(night, "night", nw)),
          price: eur(night, "price_minor", currencyOf(night, currency, nw), fx, nw),
          available: integer(night, "available", nw),
        }),
      );
    });
  });
  return offersFromNightlyRates(nights, stay, sellerId, quotedAt);
}
