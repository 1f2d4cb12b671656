// What flight search keeps (cache.ts): the catalog's airports and each leg's
// flights, and pricing's fares of each leg.
// - Airports and flights until the TTL, or until the catalog signals that
//   flights or airports changed (cache-signals.ts): then every one goes.
// - Fares until the TTL or the expiry pricing gives them, whichever is first
//   (pricing keeps a route's fares that long itself, so search shows nothing
//   older than pricing would), and only when none is STALE.
// Calls shared by several searches (single-flight) run without the first
// caller's cancellation, within its deadline.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { withoutCancel, type Context } from "../../endpoints/context.js";
import type { Airport, Flight } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceSource, type GetFlightFaresResponse } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { CalendarDay } from "./dates.js";
import { isoDay } from "./dates.js";
import { namedCache, type CacheSetOptions, type SearchCache } from "./cache.js";

export interface FlightCaches {
  readonly airports: SearchCache<readonly Airport[]>;
  readonly flights: SearchCache<readonly Flight[]>;
  readonly fares: SearchCache<GetFlightFaresResponse>;
}

export function flightCaches(o: CacheSetOptions): FlightCaches {
  return { airports: namedCache(o, "airports"), flights: namedCache(o, "flights"), fares: namedCache(o, "fares") };
}

/** A leg: a route on a local date. */
export interface Leg {
  readonly origin: string;
  readonly destination: string;
  readonly departureDate?: CalendarDay;
}

const NO_SCOPE = { scope: () => ({ hotels: [] }) };
const legKey = (leg: Leg) => `${leg.origin}\u0000${leg.destination}\u0000${leg.departureDate ? isoDay(leg.departureDate) : ""}`;

export function cachedAirports(caches: FlightCaches | undefined, ctx: Context, codes: readonly string[], load: (ctx: Context) => Promise<readonly Airport[]>) {
  if (caches === undefined) return load(ctx);
  return caches.airports.get([...codes].sort().join("\u0000"), () => load(withoutCancel(ctx)), NO_SCOPE);
}

export function cachedFlights(caches: FlightCaches | undefined, ctx: Context, leg: Leg, load: (ctx: Context) => Promise<readonly Flight[]>) {
  if (caches === undefined) return load(ctx);
  return caches.flights.get(legKey(leg), () => load(withoutCancel(ctx)), NO_SCOPE);
}

export function cachedFares(caches: FlightCaches | undefined, ctx: Context, leg: Leg, load: (ctx: Context) => Promise<GetFlightFaresResponse>) {
  if (caches === undefined) return load(ctx);
  return caches.fares.get(legKey(leg), () => load(withoutCancel(ctx)), {
    ...NO_SCOPE,
    keep: (res) => res.expireTime !== undefined && res.fares.every((f) => f.source !== PriceSource.STALE),
    expiresAt: (res) => (res.expireTime ? timestampMs(res.expireTime) : undefined),
  });
}

/** Flights or airports changed: every flight listing and airport goes (fares do not depend on them). */
export function dropFlightListings(caches: FlightCaches): void {
  caches.airports.clear();
  caches.flights.clear();
}
