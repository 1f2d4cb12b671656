// What an item costs now, asked of search exactly as the pages ask it, so
// that StartBooking charges the price the customer saw — or refuses.
//
// A room: its hotel's search result for the stay (found by the hotel's name,
// else its city), the room's PersonalPrice (listed, markdown, price). A flight
// trip: search for the route on the dates in the flight ids, each leg's fare;
// a return trip's markdown is taken once from the wallet balance search
// reports: markdown = walletMarkdown(both legs' listed total, balance), price = total −
// markdown (search shows each leg with the whole balance off, so a page
// showing a return trip must compute it this way too).
//
// The item is rebuilt here from what search answers (the seller it chose now,
// the hotel's stars the cancellation policy reads, the title): only the ids,
// dates and `premium` come from the browser.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import { failedPrecondition, notFound, unavailable } from "../../endpoints/errors.js";
import type { Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import {
  HotelResultSchema,
  PriceStatus,
  type HotelResult,
  type PersonalPrice,
} from "../../gen/itinera/search/v1/search_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import type { FlightTrip, HotelStay, Item, ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import type { WebServiceDeps } from "./deps.js";
import { customerIdOf, renamed } from "./fields.js";
import { walletMarkdown } from "../../platform/money.js";

export type ItemInit = MessageInitShape<typeof ItemSchema>;

/** A hotel priced for a stay, as GetHotel answers it. */
export interface PricedHotel {
  hotel: HotelResult;
  walletAvailable: Money | undefined;
  degraded: string[];
}

/** What an item costs now, and the item to pay for. */
export interface CurrentOffer {
  item: ItemInit;
  currency: string;
  listed: bigint;
  markdown: bigint;
  price: bigint;
}

const WALLET_DOWN = "Your wallet cannot be checked right now, so the price cannot be confirmed: please try again in a moment.";
const NO_PRICE = "This has no price right now, so it cannot be booked: please try again in a moment or choose another.";

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
  for (const query of new Set([listing.name, listing.cityName])) {
    if ([...query.trim()].length < 2) continue;
    const { results } = await deps.search.searchHotels(ctx, {
      query: { query, checkIn, checkOut, customerId: customerIdOf(ctx), pageSize: 50 },
    });
    const hotel = results?.hotels.find((h) => h.hotelId === hotelId);
    if (hotel) return { hotel, walletAvailable: results?.walletAvailable, degraded: [...(results?.degraded ?? [])] };
  }
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

/** The date in a dated flight id ("SL123-2026-12-01"); undefined when it has none. */
export function dateOfFlightId(flightId: string): CalendarDate | undefined {
  const m = /-(\d{4})-(\d{2})-(\d{2})$/.exec(flightId);
  return m ? ({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } as CalendarDate) : undefined;
}

export async function currentOffer(deps: Pick<WebServiceDeps, "catalog" | "search">, ctx: Context, item: Item): Promise<CurrentOffer> {
  if (item.kind.case === "hotelStay") return hotelOffer(deps, ctx, item, item.kind.value);
  if (item.kind.case === "flightTrip") return flightOffer(deps, ctx, item, item.kind.value);
  throw failedPrecondition("the item is neither a hotel stay nor a flight trip");
}

async function hotelOffer(deps: Pick<WebServiceDeps, "catalog" | "search">, ctx: Context, item: Item, stay: HotelStay): Promise<CurrentOffer> {
  const field = (f: string) => f.replace(/^query\./, "item.hotel_stay.");
  const priced = await pricedHotel(deps, ctx, stay.hotelId, stay.checkIn, stay.checkOut).catch((e: unknown) => {
    throw renamed(e, field);
  });
  if (priced.degraded.includes("wallet")) throw unavailable(WALLET_DOWN);
  const hotel = priced.hotel;
  const room = hotel.rooms.find((r) => r.roomId === stay.roomId);
  if (!room) throw failedPrecondition("This room is no longer offered by the hotel: please choose another room.");
  const price = bookable(room.price);
  const nights = daysBetween(stay.checkIn!, stay.checkOut!);
  return {
    ...price,
    item: {
      sellerId: price.sellerId,
      premium: item.premium,
      title: `${hotel.name}, ${hotel.cityName} — ${room.name}, ${nights} ${nights === 1 ? "night" : "nights"}`,
      kind: {
        case: "hotelStay",
        value: { hotelId: stay.hotelId, roomId: stay.roomId, checkIn: stay.checkIn, checkOut: stay.checkOut, starRating: hotel.starRating },
      },
    },
  };
}

async function flightOffer(deps: Pick<WebServiceDeps, "search">, ctx: Context, item: Item, trip: FlightTrip): Promise<CurrentOffer> {
  const fields: Record<string, string> = {
    "query.origin": "item.flight_trip.origin",
    "query.destination": "item.flight_trip.destination",
    "query.departure_date": "item.flight_trip.outbound_flight_id",
    "query.return_date": "item.flight_trip.return_flight_id",
  };
  const returnDate = trip.returnFlightId ? dateOfFlightId(trip.returnFlightId) : undefined;
  const query = { origin: trip.origin, destination: trip.destination, departureDate: dateOfFlightId(trip.outboundFlightId), returnDate };
  const { results } = await deps.search.searchFlights(ctx, { query: { ...query, customerId: customerIdOf(ctx) } }).catch((e: unknown) => {
    throw renamed(e, (f) => fields[f] ?? f);
  });
  if (results?.degraded.includes("wallet")) throw unavailable(WALLET_DOWN);
  const outbound = results?.outbound.find((f) => f.flightId === trip.outboundFlightId);
  const inbound = trip.returnFlightId ? results?.inbound.find((f) => f.flightId === trip.returnFlightId) : undefined;
  if (!outbound || (trip.returnFlightId && !inbound)) throw failedPrecondition("This flight is no longer on sale: please search again.");
  const legs = [outbound, ...(inbound ? [inbound] : [])];
  const prices = legs.map((leg) => bookable(leg.price));
  if (new Set(prices.map((p) => `${p.sellerId}|${p.currency}`)).size > 1) {
    throw failedPrecondition("These flights are no longer sold together by one seller: please book each of them on its own.");
  }
  const { sellerId, currency } = prices[0]!;
  const listed = prices.reduce((sum, p) => sum + p.listed, 0n);
  const wallet = results?.walletAvailable;
  const balance = wallet && wallet.currency === currency && wallet.amountMinor > 0n ? wallet.amountMinor : 0n;
  const markdown = walletMarkdown(listed, balance);
  const leg = (f: typeof outbound) => `${f.flightNumber} ${f.origin} → ${f.destination}, ${f.departureLocal.slice(0, 10)}`;
  return {
    currency,
    listed,
    markdown,
    price: listed - markdown,
    item: {
      sellerId,
      premium: item.premium,
      title: inbound ? `${leg(outbound)}; return ${leg(inbound)}` : leg(outbound),
      kind: {
        case: "flightTrip",
        value: { outboundFlightId: trip.outboundFlightId, returnFlightId: trip.returnFlightId, origin: trip.origin, destination: trip.destination },
      },
    },
  };
}

/** The amounts of a price that can be booked (fresh or stale); FAILED_PRECONDITION when there is none. */
function bookable(p: PersonalPrice | undefined) {
  if (!p || p.status === PriceStatus.MISSING || p.status === PriceStatus.UNSPECIFIED || !p.listed || !p.price) {
    throw failedPrecondition(NO_PRICE);
  }
  return {
    sellerId: p.sellerId,
    currency: p.listed.currency,
    listed: p.listed.amountMinor,
    markdown: p.markdown?.amountMinor ?? 0n,
    price: p.price.amountMinor,
  };
}

function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}
