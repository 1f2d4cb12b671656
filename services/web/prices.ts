// A hotel page's prices: its hotel's search result for the stay, asked of
// search by the hotel's id in one call (HotelQuery.hotel_ids), each room's
// PersonalPrice (listed, markdown, price, the flexible option and the quote
// to book it with — what StartBooking is then sent), with the signed-in
// customer's token so the markdown and quotes are theirs.
import { create } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import { notFound } from "../../endpoints/errors.js";
import type { Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { HotelResultSchema, PriceStatus, type HotelResult } from "../../gen/itinera/search/v1/search_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import type { WebServiceDeps } from "./deps.js";

/** A hotel priced for a stay, as GetHotel answers it. */
export interface PricedHotel {
  hotel: HotelResult;
  walletAvailable: Money | undefined;
  degraded: string[];
}

/** The hotel priced for the stay; rooms MISSING (degraded "search") when search does not list it. */
export async function pricedHotel(
  deps: Pick<WebServiceDeps, "catalog" | "search">,
  ctx: Context,
  hotelId: string,
  checkIn: CalendarDate | undefined,
  checkOut: CalendarDate | undefined,
): Promise<PricedHotel> {
  const listing = (await deps.catalog.getHotels(ctx, { hotelIds: [hotelId] })).hotels[0];
  if (!listing) throw notFound(`hotel ${hotelId} does not exist`);
  const { results } = await deps.search.searchHotels(ctx, { query: { hotelIds: [hotelId], checkIn, checkOut } });
  const hotel = results?.hotels.find((h) => h.hotelId === hotelId);
  if (hotel) return { hotel, walletAvailable: results?.walletAvailable, degraded: [...(results?.degraded ?? [])] };
  return { hotel: unpriced(listing), walletAvailable: undefined, degraded: ["search"] };
}

function unpriced(h: Hotel): HotelResult {
  const missing = { status: PriceStatus.MISSING };
  return create(HotelResultSchema, {
    hotelId: h.hotelId,
    name: h.name,
    cityName: h.cityName,
    countryCode: h.countryCode,
    starRating: h.starRating,
    imageUrl: h.imageUrls[0] ?? "",
    amenities: h.amenities,
    rooms: h.rooms.map((r) => ({ roomId: r.roomId, name: r.name, maxOccupancy: r.maxOccupancy, price: missing, offerCount: 0 })),
    fromPrice: missing,
  });
}
