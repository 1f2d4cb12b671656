// What hotel search keeps (cache.ts): the catalog's listing for a normalised
// query and page size, and pricing's offers for those hotels over a stay.
// The rules of what may be kept live here:
// - a listing, always (it changes only when the catalog's hotels do);
// - offers, only when none is STALE (an older price shown because a fresh one
//   could not be had: the next search may get the fresh one) and every hotel
//   of the listing has one (a hotel whose live quote did not come back in time
//   is not pinned as priceless for a TTL). A hotel sold out for the stay has
//   none either, so such a page is asked for again each time: slower, never
//   wrong.
// Calls shared by several searches (single-flight) run detached from the
// first caller's cancellation, within its deadline.
import { withoutCancel, type Context } from "../../endpoints/context.js";
import type { Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceSource, type HotelOffer } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { HotelQuery } from "../../gen/itinera/search/v1/search_pb.js";
import { namedCache, type CacheSetOptions, type SearchCache } from "./cache.js";
import { isoDay } from "./dates.js";

export interface HotelCaches {
  readonly listings: SearchCache<readonly Hotel[]>;
  readonly offers: SearchCache<readonly HotelOffer[]>;
}

export function hotelCaches(o: CacheSetOptions): HotelCaches {
  return { listings: namedCache(o, "listings"), offers: namedCache(o, "offers") };
}

/** The listing of `query.query` (case and spacing do not matter) at `pageSize`. */
export function cachedListing(caches: HotelCaches | undefined, ctx: Context, query: HotelQuery, pageSize: number, load: (ctx: Context) => Promise<readonly Hotel[]>) {
  if (caches === undefined) return load(ctx);
  const key = `${query.query.trim().toLowerCase().replace(/\s+/g, " ")}\u0000${pageSize}`;
  return caches.listings.get(key, () => load(withoutCancel(ctx)), { scope: (hotels) => ({ hotels: hotels.map((h) => h.hotelId) }) });
}

/** The offers for `hotelIds` over the query's stay. */
export function cachedOffers(caches: HotelCaches | undefined, ctx: Context, query: HotelQuery, hotelIds: readonly string[], load: (ctx: Context) => Promise<readonly HotelOffer[]>) {
  if (caches === undefined) return load(ctx);
  const checkIn = isoDay(query.checkIn!);
  const key = `${checkIn}\u0000${isoDay(query.checkOut!)}\u0000${hotelIds.join("\u0000")}`;
  const nights = { from: checkIn, to: isoDay(query.checkOut!, -1) };
  return caches.offers.get(key, () => load(withoutCancel(ctx)), { scope: () => ({ hotels: hotelIds, nights }), keep: (offers) => keepOffers(hotelIds, offers) });
}

function keepOffers(hotelIds: readonly string[], offers: readonly HotelOffer[]): boolean {
  const priced = new Set<string>();
  for (const o of offers) {
    if (o.source === PriceSource.STALE) return false;
    priced.add(o.hotelId);
  }
  return hotelIds.every((id) => priced.has(id));
}
