// The catalog (itinera.catalog.v1.CatalogService): hotels with their rooms,
// airports and flight schedules as sellers list them, and keyword search over
// hotels. Pure logic: the stores merge sellers' listings and rank matches;
// this file pages, converts and decides what a request means. The validators
// (validators.ts) have checked every field before a method runs.
import { pageTokens } from "../../endpoints/page-tokens.js";
import type { Service } from "../../endpoints/service.js";
import type { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { FlightStore } from "./flight-store.js";
import type { HotelStore } from "./hotel-store.js";
import {
  airportMessage,
  airportRecord,
  cityAliases,
  flightListing,
  flightMessage,
  hotelListing,
  hotelMessage,
  isoDate,
} from "./messages.js";
import { searchCursor, searchScope } from "./search-cursor.js";

export interface CatalogServiceDeps {
  hotels: HotelStore;
  flights: FlightStore;
  /** Signs SearchHotels page tokens (CATALOG_PAGE_TOKEN_SECRET): every catalog instance shares it. */
  pageTokenSecret: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** How many airports a query suggests. */
export const AIRPORT_SUGGESTIONS = 10;

export function catalogService(deps: CatalogServiceDeps): Service<typeof CatalogService> {
  const { hotels, flights } = deps;
  const tokens = pageTokens({ secret: deps.pageTokenSecret, list: "SearchHotels", codec: searchCursor, scopeIs: "query" });

  return {
    async upsertHotels(_ctx, req) {
      return hotels.upsert({
        sellerId: req.sellerId,
        hotels: req.hotels.map(hotelListing),
        cityAliases: cityAliases(req.cityAliases),
      });
    },

    async upsertFlights(_ctx, req) {
      return flights.upsert({
        sellerId: req.sellerId,
        flights: req.flights.map((f, i) => flightListing(f, `flights[${i}]`)),
        airports: req.airports.map(airportRecord),
      });
    },

    async searchHotels(_ctx, req) {
      const size = Math.min(req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const after = tokens.start(searchScope(req.query), req.pageToken);
      const ranked = await hotels.search(req.query, size + 1, after);
      const page = ranked.hotels.slice(0, size);
      const last = page[page.length - 1];
      return {
        hotels: page.map((r) => hotelMessage(r.hotel)),
        nextPageToken: ranked.hotels.length > size && last ? tokens.encode(searchScope(req.query), last.place) : "",
        totalCount: ranked.total,
      };
    },

    async getHotels(_ctx, req) {
      return { hotels: (await hotels.byIds(req.hotelIds)).map(hotelMessage) };
    },

    async listFlights(_ctx, req) {
      const found = await flights.route(req.origin, req.destination, isoDate(req.departureDate, "departure_date"));
      return { flights: found.map(flightMessage) };
    },

    async getAirports(_ctx, req) {
      const found =
        req.codes.length > 0 ? await flights.airports(req.codes) : await flights.matching(req.query, AIRPORT_SUGGESTIONS);
      return { airports: found.map(airportMessage) };
    },

    async listAirports() {
      return { airports: (await flights.allAirports()).map(airportMessage) };
    },
  };
}
