// Generated routes and daily flights between real airports (durations from
// great-circle distance, aircraft by range, local departure times), and fares
// computed lazily per (flight, date, cabin): dearer as departure nears.
import { distanceKm } from "./places.js";
import { hash, unit, type Rng } from "./random.js";
import { weekday } from "./calendar.js";

export const CARRIER = { code: "SL", name: "SkyLark Air" } as const;

export interface Airport {
  iata: string;
  name: string;
  cityId: string;
  cityName: string;
  countryCode: string;
  timeZone: string;
  lat: number;
  lon: number;
  /** The city's first airport (hubs get more routes). */
  main: boolean;
}

/** A directed airport pair with at least one daily flight. */
export interface Route {
  from: string;
  to: string;
  distanceKm: number;
}

/** A flight number operated every day. */
export interface Flight {
  /** 0-based position in the inventory: the stable key of its fares. */
  index: number;
  number: string;
  from: string;
  to: string;
  /** Local departure time at `from`, minutes past midnight. */
  departureMinutes: number;
  durationMinutes: number;
  aircraft: string;
  services: string[];
  cabins: Cabin[];
  distanceKm: number;
  /** The economy fare three weeks out, USD minor units. */
  baseFareMinor: number;
}

export type Cabin = "economy" | "business";

const NARROW = ["Airbus A220-300", "Airbus A320neo", "Airbus A321neo", "Boeing 737-800", "Boeing 737 MAX 8", "Embraer E195-E2"];
const WIDE = ["Boeing 787-9", "Airbus A350-900", "Boeing 777-300ER", "Airbus A330-900neo"];
const LONG_HAUL_KM = 4500;

/** `pairs` airport pairs in different cities (favouring hubs and shorter hops), each flown both ways. */
export function generateRoutes(r: Rng, airports: Airport[], pairs: number): Route[] {
  const candidates: { a: Airport; b: Airport; d: number; key: number }[] = [];
  for (let i = 0; i < airports.length; i++) {
    for (let j = i + 1; j < airports.length; j++) {
      const a = airports[i]!;
      const b = airports[j]!;
      if (a.cityId === b.cityId) continue;
      const d = distanceKm(a, b);
      const weight = (a.main && b.main ? 1 : 0.4) * (d < 2500 ? 1 : d < 6000 ? 0.6 : 0.4);
      // Weighted sampling without replacement (Efraimidis–Spirakis): the largest keys win.
      candidates.push({ a, b, d, key: r.next() ** (1 / weight) });
    }
  }
  candidates.sort((x, y) => y.key - x.key);
  return candidates.slice(0, pairs).flatMap(({ a, b, d }) => [
    { from: a.iata, to: b.iata, distanceKm: Math.round(d) },
    { from: b.iata, to: a.iata, distanceKm: Math.round(d) },
  ]);
}

function departureTimes(r: Rng, count: number): number[] {
  const first = 6 * 60;
  const span = 21 * 60 + 30 - first;
  return Array.from({ length: count }, (_, s) => {
    const m = first + Math.floor(((s + r.next() * 0.8) * span) / count);
    return m - (m % 5);
  });
}

function services(r: Rng, durationMinutes: number, wide: boolean): string[] {
  const out = [durationMinutes >= 150 ? "meal" : "snacks"];
  if (r.chance(wide ? 0.95 : 0.55)) out.push("wifi");
  if (wide || r.chance(0.5)) out.push("power outlets");
  if (wide) out.push("entertainment");
  return out;
}

/** Daily flights on every route; a pair's two directions get consecutive numbers (odd out, even back). */
export function generateFlights(r: Rng, routes: Route[]): Flight[] {
  const flights: Flight[] = [];
  let number = 101;
  for (let i = 0; i + 1 < routes.length; i += 2) {
    const out = routes[i]!;
    const d = out.distanceKm;
    const wide = d >= LONG_HAUL_KM;
    const perDay = wide ? 1 : r.pick([1, 1, 1, 2, 2, 3]);
    const durationMinutes = Math.round((35 + (d / 780) * 60) / 5) * 5;
    const cabins: Cabin[] = d >= 1500 ? ["economy", "business"] : ["economy"];
    const back = routes[i + 1]!;
    for (const [route, offset] of [[out, 0], [back, 1]] as const) {
      departureTimes(r, perDay).forEach((departureMinutes, slot) => {
        flights.push({
          index: flights.length,
          number: `${CARRIER.code}${number + 2 * slot + offset}`,
          from: route.from,
          to: route.to,
          departureMinutes,
          durationMinutes,
          aircraft: r.pick(wide ? WIDE : NARROW),
          services: services(r, durationMinutes, wide),
          cabins,
          distanceKm: d,
          baseFareMinor: Math.round((45 + 0.085 * d) * (0.85 + r.next() * 0.35)) * 100,
        });
      });
    }
    number += 2 * perDay;
  }
  return flights;
}

export interface Fare {
  cabin: Cabin;
  /** USD minor units. */
  priceMinor: number;
  seats: number;
}

/**
 * The fares of one departure `daysAhead` days from today: about 2.2 times the
 * base on the day, 1.3 times five days out, 0.8 times three months out; dearer
 * on Fridays and Sundays; business three to four times economy.
 */
export function flightFares(seed: number, flight: Flight, day: number, daysAhead: number): Fare[] {
  const lead = 0.8 + 1.4 * Math.exp(-daysAhead / 10);
  const wd = weekday(day);
  const dayFactor = wd === 5 || wd === 0 ? 1.12 : wd === 2 || wd === 3 ? 0.93 : 1;
  return flight.cabins.map((cabin, c) => {
    const noise = 0.94 + 0.12 * unit(hash(seed, 3, flight.index, c, day));
    const cabinFactor = cabin === "business" ? (flight.distanceKm >= LONG_HAUL_KM ? 4 : 3) : 1;
    const priceMinor = Math.round(flight.baseFareMinor * cabinFactor * lead * dayFactor * noise);
    const s = Math.floor(unit(hash(seed, 4, flight.index, c, day)) * 10) - (daysAhead < 3 ? 3 : 0);
    return { cabin, priceMinor, seats: Math.max(0, Math.min(9, s)) };
  });
}
