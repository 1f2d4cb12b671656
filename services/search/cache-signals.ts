// What search's caches drop on the change signals of pricing and the
// catalog (platform/change-signals.ts; the messages and channels are theirs:
// itinera.pricing.v1.HotelPricesChanged on "pricing_hotel_prices",
// itinera.catalog.v1.HotelsChanged on "catalog_hotels", FlightsChanged on
// "catalog_flights").
// - Prices of some hotels changed over some nights: the offers cached for
//   those hotels over stays that include one of those nights.
// - Hotels changed (or the words that find them): every listing, since a
//   changed hotel may now match any query, and those hotels' offers.
// - Flights or airports changed: every flight listing and airport. Fares go
//   at the expiry pricing gave them (flight-caches.ts).
import { FlightsChangedSchema, HotelsChangedSchema } from "../../gen/itinera/catalog/v1/events_pb.js";
import { HotelPricesChangedSchema } from "../../gen/itinera/pricing/v1/events_pb.js";
import { signal, type Signal } from "../../platform/change-signals.js";
import { isoDay } from "./dates.js";
import { dropFlightListings, type FlightCaches } from "./flight-caches.js";
import type { HotelCaches } from "./hotel-caches.js";

/** Every cache of search. */
export interface SearchCaches {
  readonly hotels: HotelCaches;
  readonly flights: FlightCaches;
}

export const HOTEL_PRICES_CHANNEL = "pricing_hotel_prices";
export const HOTELS_CHANNEL = "catalog_hotels";
export const FLIGHTS_CHANNEL = "catalog_flights";

export function cacheSignals({ hotels: caches, flights }: SearchCaches): Signal[] {
  return [
    signal(HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema, (m) => {
      const nights = m.firstNight && m.lastNight ? { from: isoDay(m.firstNight), to: isoDay(m.lastNight) } : undefined;
      caches.offers.invalidate({ hotels: m.hotelIds, nights });
    }),
    signal(HOTELS_CHANNEL, HotelsChangedSchema, (m) => {
      caches.listings.clear();
      caches.offers.invalidate({ hotels: m.hotelIds });
    }),
    signal(FLIGHTS_CHANNEL, FlightsChangedSchema, () => dropFlightListings(flights)),
  ];
}

/** Every cache on (starting empty) or off. */
export function setCachesLive(caches: SearchCaches, live: boolean): void {
  for (const cache of [...Object.values(caches.hotels), ...Object.values(caches.flights)]) cache.setLive(live);
}
