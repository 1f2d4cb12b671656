// What hotel search keeps (cache.ts): the catalog's listing (a page of a
// normalised query at a page size, or hotels by id), and pricing's offers
// for those hotels over a stay. The rules of what may be kept live here:
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

/** One page of the catalog's listing: its hotels, how many match in all, and the next page's token. */
export interface Listing {
  readonly hotels: readonly Hotel[];
  readonly total: number;
  readonly nextPageToken: string;
}

export interface HotelCaches {
  readonly listings: SearchCache<Listing>;
  readonly offers: SearchCache<readonly HotelOffer[]>;
}

export function hotelCaches(o: CacheSetOptions): HotelCaches {
  return { listings: namedCache(o, "listings"), offers: namedCache(o, "offers") };
}

/** The listing of the query's hotel ids, or of `query.query` (case and spacing do not matter) from its page token at `pageSize`. */
export function cachedListing(caches: HotelCaches | undefined, ctx: Context, query: HotelQuery, pageSize: number, load: (ctx: Context) => Promise<Listing>) {
  if (caches === undefined) return load(ctx);
  const key =
    query.hotelIds.length > 0
      ? `ids\u0000${query.hotelIds.join("\u0000")}`
      : `words\u0000${query.query.trim().toLowerCase().replace(/\s+/g, " ")}\u0000${pageSize}\u0000${query.pageToken}`;
  return caches.listings.get(key, () => load(withoutCancel(ctx)), { scope: (listing) => ({ hotels: listing.hotels.map((h) => h.hotelId) }) });
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
