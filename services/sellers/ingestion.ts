// Writing what sellers give us to its owners, through their RPCs: listings to
// catalog (UpsertHotels ≤ 500 hotels, with the aliases of their cities;
// UpsertFlights ≤ 2000 flights, with the airports they use) and nightly rates
// to pricing (IngestHotelRates, in batches). Batches go one after another, so
// a sync never floods catalog or pricing.
import type { Context } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import type { Airport, CatalogService, Flight, Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { NightlyRate, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Listings, Route } from "./adapter.js";
import { cityAliasesFor } from "./synonyms.js";

export interface BatchLimits {
  /** Hotels per UpsertHotels; catalog takes 1 to 500. */
  hotels: number;
  /** Flights per UpsertFlights; catalog takes 1 to 2000. */
  flights: number;
  /** Rates per IngestHotelRates; pricing takes 1 to 50 000. */
  rates: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = Object.freeze({ hotels: 500, flights: 2000, rates: 10_000 });

export interface IngestionDeps {
  catalog: Client<typeof CatalogService>;
  pricing: Client<typeof PricingService>;
  limits?: Partial<BatchLimits>;
}

export class Ingestion {
  private readonly catalog: Client<typeof CatalogService>;
  private readonly pricing: Client<typeof PricingService>;
  readonly limits: BatchLimits;

  constructor(deps: IngestionDeps) {
    this.catalog = deps.catalog;
    this.pricing = deps.pricing;
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...deps.limits };
  }

  /** Writes one page of listings; answers how many hotels and flights were sent. */
  async writeListings(ctx: Context, sellerId: string, listings: Listings): Promise<{ hotels: number; flights: number }> {
    for (const hotels of batches(listings.hotels, this.limits.hotels)) await this.upsertHotels(ctx, sellerId, hotels, listings);
    const airportByCode = new Map(listings.airports.map((a) => [a.code, a]));
    for (const flights of batches(listings.flights, this.limits.flights)) {
      await this.catalog.upsertFlights(ctx, { sellerId, flights, airports: airportsUsed(flights, airportByCode) });
    }
    return { hotels: listings.hotels.length, flights: listings.flights.length };
  }

  /**
   * Writes nightly rates (EUR); answers how many were sent. A room's nights
   * stay in one batch (pricing recomputes the totals they enter together),
   * unless one room alone has more than a batch holds.
   */
  async writeRates(ctx: Context, sellerId: string, rates: readonly NightlyRate[]): Promise<number> {
    const batchesOfRooms = batchesKeepingTogether(rates, this.limits.rates, (r) => `${r.hotelId}\u0000${r.roomId}`);
    for (const batch of batchesOfRooms) await this.pricing.ingestHotelRates(ctx, { sellerId, rates: batch });
    return rates.length;
  }

  private async upsertHotels(ctx: Context, sellerId: string, hotels: Hotel[], listings: Listings) {
    const cityAliases = cityAliasesFor(
      hotels.map((h) => h.cityId),
      listings.cityAliases,
    );
    await this.catalog.upsertHotels(ctx, { sellerId, hotels, cityAliases });
  }
}

/** `items` cut into lists of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError("a batch holds at least one item");
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `items` cut into lists of at most `size`, never separating consecutive
 * items with the same key unless a run of them is longer than `size`.
 */
export function batchesKeepingTogether<T>(items: readonly T[], size: number, key: (item: T) => string): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  for (let i = 0; i < items.length; ) {
    let end = i + 1;
    while (end < items.length && key(items[end]!) === key(items[i]!)) end++;
    const run = items.slice(i, end);
    i = end;
    if (batch.length + run.length > size && batch.length > 0) {
      out.push(batch);
      batch = [];
    }
    for (const part of batches(run, size)) {
      if (part.length === size) out.push(part);
      else batch.push(...part);
    }
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

function airportsUsed(flights: readonly Flight[], byCode: ReadonlyMap<string, Airport>): Airport[] {
  const codes = new Set(flights.flatMap((f) => [f.origin, f.destination]));
  return [...codes].flatMap((c) => {
    const a = byCode.get(c);
    return a ? [a] : [];
  });
}

/** Coverage items: what a quote looks up to find the sellers to ask. */
export const hotelItem = (hotelId: string) => `hotel:${hotelId}`;
export const routeItem = (route: Route) => `route:${route.origin}-${route.destination}`;

/** The coverage items a page of listings proves. */
export function coverageOf(listings: Listings): string[] {
  return [
    ...listings.hotels.map((h) => hotelItem(h.hotelId)),
    ...listings.flights.map((f) => routeItem({ origin: f.origin, destination: f.destination })),
  ];
}
