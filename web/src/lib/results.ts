// Sorting and filtering hotel results on the page (the stream sends them in
// search's ranking, best match first: "Recommended"), and the words for
// degraded prices.
import { PriceStatus, type HotelResult, type PersonalPrice } from "../../../gen/itinera/search/v1/search_pb.js";

export type HotelSort = "recommended" | "price" | "price-desc" | "stars";

export const HOTEL_SORTS: { value: HotelSort; label: string }[] = [
  { value: "recommended", label: "Recommended" },
  { value: "price", label: "Price: lowest first" },
  { value: "price-desc", label: "Price: highest first" },
  { value: "stars", label: "Stars: most first" },
];

export interface HotelFilter {
  /** In minor units of the results' currency; undefined for no limit. */
  maxPriceMinor: bigint | undefined;
  /** 0 for any. */
  minStars: number;
  /** A seller id, or "" for any. */
  seller: string;
}

export const NO_FILTER: HotelFilter = { maxPriceMinor: undefined, minStars: 0, seller: "" };

/** True when a price can be shown and booked (fresh, or stale but still an amount). */
export const hasPrice = (p: PersonalPrice | undefined): p is PersonalPrice & { price: NonNullable<PersonalPrice["price"]> } =>
  !!p && !!p.price && !!p.price.currency && p.status !== PriceStatus.MISSING;

/** What the traveller pays for the hotel's cheapest room, or undefined when unpriced. */
export const hotelPrice = (h: HotelResult): bigint | undefined => (hasPrice(h.fromPrice) ? h.fromPrice.price.amountMinor : undefined);

const byPrice = (direction: 1 | -1) => (a: HotelResult, b: HotelResult) => {
  const pa = hotelPrice(a);
  const pb = hotelPrice(b);
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1; // unpriced last
  return pa === pb ? 0 : (pa < pb ? -1 : 1) * direction;
};

/** A sorted copy (stable: equal hotels keep search's order). */
export function sortHotels(hotels: readonly HotelResult[], sort: HotelSort): HotelResult[] {
  const copy = [...hotels];
  if (sort === "price") copy.sort(byPrice(1));
  else if (sort === "price-desc") copy.sort(byPrice(-1));
  else if (sort === "stars") copy.sort((a, b) => b.starRating - a.starRating || byPrice(1)(a, b));
  return copy;
}

/** The hotels that pass the filter; a price limit leaves out hotels with no price. */
export function filterHotels(hotels: readonly HotelResult[], filter: HotelFilter): HotelResult[] {
  return hotels.filter((h) => {
    if (h.starRating < filter.minStars) return false;
    if (filter.seller && h.fromPrice?.sellerId !== filter.seller) return false;
    if (filter.maxPriceMinor !== undefined) {
      const price = hotelPrice(h);
      if (price === undefined || price > filter.maxPriceMinor) return false;
    }
    return true;
  });
}

/** The sellers of the shown prices, for the seller filter. */
export function sellersOf(hotels: readonly HotelResult[]): string[] {
  const ids = new Set<string>();
  for (const h of hotels) if (h.fromPrice?.sellerId) ids.add(h.fromPrice.sellerId);
  return [...ids].sort();
}

/** "skylark" → "Skylark": seller ids are lower-case words. */
export const sellerName = (id: string): string => id.replace(/[-_]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());

/** The currency of the first priced hotel (the max price filter is in it). */
export const resultsCurrency = (hotels: readonly HotelResult[]): string =>
  hotels.map((h) => h.fromPrice?.price?.currency).find((c): c is string => !!c) ?? "EUR";

/** A note under a price that is not fresh, in words; undefined for a fresh price. */
export function priceNote(p: PersonalPrice | undefined): string | undefined {
  if (!p || p.status === PriceStatus.MISSING || !p.price) return "No price available right now.";
  if (p.status === PriceStatus.STALE) return "Price may be out of date: it will be checked again when you book.";
  return undefined;
}

/** What the page says when parts of the search did not answer in time. */
export function degradedNotices(degraded: readonly string[]): string[] {
  const notes: string[] = [];
  if (degraded.includes("pricing")) notes.push("Some prices could not be checked just now and may be out of date or missing.");
  if (degraded.includes("wallet")) notes.push("Your wallet discount could not be checked just now, so prices are shown without it.");
  if (degraded.includes("catalog")) notes.push("Some hotels or flights could not be loaded just now.");
  for (const d of degraded) if (!["pricing", "wallet", "catalog"].includes(d)) notes.push(`Some results are incomplete (${d} is slow).`);
  return notes;
}
