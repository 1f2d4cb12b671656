// The sandbox sellers' inventory: a pure function of (seed, today, params).
// The static part (cities, airports, hotels, rooms, routes, flights) is built
// at once in a few milliseconds; rates and fares are computed on demand per
// (hotel, room, night) and (flight, date), so a process holds little memory.
// Every sandbox seller builds the same inventory from the same seed and today.
import { cityPlaces, citySlug, type CityPlace } from "./places.js";
import { hash, rng } from "./random.js";
import { dateOf, dayNumber, localDateTime, utcToday, ZoneClock } from "./calendar.js";
import { generateHotels, nightlyRate, type Hotel, type HotelRoom } from "./hotels.js";
import { flightFares, generateFlights, generateRoutes, type Airport, type Fare, type Flight, type Route } from "./flights.js";

export type { Airport, Fare, Flight, Hotel, HotelRoom, Route };
export { CARRIER } from "./flights.js";
export { ROOM_TYPES, imagePath } from "./hotels.js";

export interface InventoryParams {
  /** Default 42. */
  seed?: number;
  /** "YYYY-MM-DD", the first date with rates and fares; default today's UTC date. */
  today?: string;
  /** How many of the known cities (in order, Lisbon first); default 20. */
  cities?: number;
  /** Default 100. */
  hotelsPerCity?: number;
  /** Days of rates and fares from today; default 90. */
  days?: number;
  /** Airport pairs, each flown both ways; default 300 (fewer when fewer exist). */
  pairs?: number;
}

/** The demo inventory's size. */
export const DEMO_SIZE = { cities: 20, hotelsPerCity: 100, days: 90, pairs: 300 } as const;

export interface City {
  id: string;
  name: string;
  countryCode: string;
  countryName: string;
  timeZone: string;
  aliases: string[];
  /** IATA codes of its airports. */
  airports: string[];
}

export interface Inventory {
  seed: number;
  today: string;
  todayDay: number;
  days: number;
  cities: City[];
  airports: Airport[];
  hotels: Hotel[];
  /** Directed pairs; both directions of every airport pair. */
  routes: Route[];
  flights: Flight[];
  cityById: Map<string, City>;
  airportByIata: Map<string, Airport>;
  hotelByCode: Map<string, Hotel>;
  flightByNumber: Map<string, Flight>;
  /** Flights by "LIS-MAD". */
  flightsByRoute: Map<string, Flight[]>;
  clock: ZoneClock;
}

export function generateInventory(params: InventoryParams = {}): Inventory {
  const seed = (params.seed ?? 42) >>> 0;
  const today = params.today ?? utcToday();
  const todayDay = dayNumber(today);
  if (todayDay === undefined) throw new Error(`today must be a date YYYY-MM-DD, got "${today}"`);
  const places = cityPlaces().slice(0, params.cities ?? DEMO_SIZE.cities);
  const hotelsPerCity = params.hotelsPerCity ?? DEMO_SIZE.hotelsPerCity;

  const cities: City[] = [];
  const airports: Airport[] = [];
  const hotels: Hotel[] = [];
  places.forEach((place: CityPlace, c) => {
    const id = citySlug(place.name, place.countryCode);
    const { name, countryCode, countryName, timeZone, aliases } = place;
    cities.push({ id, name, countryCode, countryName, timeZone, aliases, airports: place.airports.map((a) => a.iata) });
    place.airports.forEach((a, k) =>
      airports.push({ ...a, cityId: id, cityName: name, countryCode, timeZone, main: k === 0 }),
    );
    // One stream per city: a city's hotels do not depend on how many cities come before it.
    hotels.push(...generateHotels(rng(hash(seed, 20, c)), { ...place, id }, hotelsPerCity, hotels.length));
  });
  const routes = generateRoutes(rng(hash(seed, 10)), airports, params.pairs ?? DEMO_SIZE.pairs);
  const flights = generateFlights(rng(hash(seed, 11)), routes);

  const flightsByRoute = new Map<string, Flight[]>();
  for (const f of flights) {
    const key = `${f.from}-${f.to}`;
    const list = flightsByRoute.get(key) ?? [];
    list.push(f);
    flightsByRoute.set(key, list);
  }
  for (const list of flightsByRoute.values()) list.sort((a, b) => a.departureMinutes - b.departureMinutes);

  return {
    seed,
    today,
    todayDay,
    days: params.days ?? DEMO_SIZE.days,
    cities,
    airports,
    hotels,
    routes,
    flights,
    cityById: new Map(cities.map((c) => [c.id, c])),
    airportByIata: new Map(airports.map((a) => [a.iata, a])),
    hotelByCode: new Map(hotels.map((h) => [h.code, h])),
    flightByNumber: new Map(flights.map((f) => [f.number, f])),
    flightsByRoute,
    clock: new ZoneClock(),
  };
}

/** True when the day has rates and fares: today to today + days - 1. */
export function inWindow(inv: Inventory, day: number): boolean {
  return day >= inv.todayDay && day < inv.todayDay + inv.days;
}

/** Every date with rates and fares, today first. */
export function windowDays(inv: Inventory): number[] {
  return Array.from({ length: inv.days }, (_, i) => inv.todayDay + i);
}

export interface RoomNight {
  room: string;
  night: string;
  /** EUR minor units. */
  amountMinor: number;
  available: number;
}

/** A hotel's nightly rates for nights [fromDay, toDay), clipped to the window; room by room. */
export function hotelRates(inv: Inventory, hotel: Hotel, fromDay: number, toDay: number): RoomNight[] {
  const first = Math.max(fromDay, inv.todayDay);
  const last = Math.min(toDay, inv.todayDay + inv.days);
  const out: RoomNight[] = [];
  for (const room of hotel.rooms) {
    for (let day = first; day < last; day++) {
      out.push({ room: room.code, night: dateOf(day), ...nightlyRate(inv.seed, hotel, room, day) });
    }
  }
  return out;
}

export interface Departure {
  flight: Flight;
  date: string;
  /** Local times "YYYY-MM-DDTHH:MM" at the departure and arrival airports. */
  departs: string;
  arrives: string;
}

/** A flight's departure on a day (its local date at the origin). */
export function departure(inv: Inventory, flight: Flight, day: number): Departure {
  const fromZone = inv.airportByIata.get(flight.from)!.timeZone;
  const toZone = inv.airportByIata.get(flight.to)!.timeZone;
  return {
    flight,
    date: dateOf(day),
    departs: localDateTime(day, flight.departureMinutes),
    arrives: inv.clock.shift(fromZone, day, flight.departureMinutes, flight.durationMinutes, toZone),
  };
}

/** A departure's fares (USD minor units), or none outside the window. */
export function fares(inv: Inventory, flight: Flight, day: number): Fare[] {
  return inWindow(inv, day) ? flightFares(inv.seed, flight, day, day - inv.todayDay) : [];
}
