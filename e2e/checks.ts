// Test support for e2e: search's answers checked against what pricing holds
// (asked directly over its own server) and the wallet balance: one offer per
// room or flight, the cheaper seller's, and price = listed − markdown.
import * as assert from "uvu/assert";
import type { HotelOffer } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { PriceStatus, type FlightResult, type HotelResults, type RoomResult } from "../gen/itinera/search/v1/search_pb.js";
import { departure, type Hotel } from "../sandbox/inventory.js";
import { cheapest, dayFromToday, roomsOf } from "./expected.js";
import type { ReadSide } from "./readside.fixture.js";

/** Days from today: check-in and check-out. */
export interface Stay {
  from: number;
  to: number;
}

export const hotelId = (h: Hotel) => `h-${h.code}`;

/** Every stored offer (no live quotes) of every hotel for the stay. */
export async function stayOffers(rs: ReadSide, stay: Stay): Promise<HotelOffer[]> {
  const res = await rs.clients.pricing.getHotelOffers(rs.ctx(5000), {
    hotelIds: rs.inventory.hotels.map(hotelId),
    checkIn: dayFromToday(rs.inventory, stay.from),
    checkOut: dayFromToday(rs.inventory, stay.to),
    liveBudgetMs: 0,
  });
  return res.offers;
}

/** The markdown a balance gives on a listed price: all of it, up to half the price (the card pays the rest). */
const markdownOf = (balance: bigint, listed: bigint) => (balance < listed / 2n ? balance : listed / 2n);

/**
 * Every room of `hotels` in the answer: the cheapest offer with rooms left
 * (MISSING when none), listed − markdown; returns the rooms by "hotel/room".
 */
export async function checkHotelPrices(
  rs: ReadSide,
  results: HotelResults,
  hotels: readonly Hotel[],
  stay: Stay,
  balance: bigint,
): Promise<Map<string, RoomResult>> {
  const offers = await stayOffers(rs, stay);
  const rooms = roomsOf(results.hotels, new Set(hotels.map(hotelId)));
  assert.is(rooms.size, hotels.length * 4, "every room of every hotel");
  assert.is(results.walletAvailable?.amountMinor, balance);
  for (const [key, room] of rooms) {
    const [hotel, roomId] = key.split("/");
    const mine = offers.filter((o) => o.hotelId === hotel && o.roomId === roomId);
    const best = cheapest(mine.map((o) => ({ ...o, amountMinor: o.total!.amountMinor })));
    const p = room.price!;
    assert.is(room.offerCount, new Set(mine.map((o) => o.sellerId)).size, key);
    if (!best) {
      assert.is(p.status, PriceStatus.MISSING, `${key}: sold out`);
      continue;
    }
    const markdown = markdownOf(balance, best.amountMinor);
    assert.equal([p.status, p.sellerId, p.listed?.amountMinor], [PriceStatus.FRESH, best.sellerId, best.amountMinor], `${key}: the cheaper seller`);
    assert.equal([p.markdown?.amountMinor, p.price?.amountMinor], [markdown, best.amountMinor - markdown], `${key}: listed − markdown`);
  }
  return rooms;
}

/**
 * Flight results of one route and day against pricing's (cached) fares: every
 * flight of the route, the cheapest fare with seats left (MISSING when none),
 * listed − markdown, the airline's local departure time with its offset.
 * Returns how many are priced.
 */
export async function checkFlights(
  rs: ReadSide,
  results: readonly FlightResult[],
  route: readonly [string, string],
  days: number,
  balance: bigint,
): Promise<number> {
  const inv = rs.inventory;
  const [origin, destination] = route;
  const departureDate = dayFromToday(inv, days);
  const fares = (await rs.clients.pricing.getFlightFares(rs.ctx(5000), { origin, destination, departureDate })).fares;
  const numbers = inv.flightsByRoute.get(`${origin}-${destination}`)!.map((f) => f.number);
  assert.equal(results.map((f) => f.flightNumber).sort(), [...numbers].sort());
  for (const f of results) {
    const mine = fares.filter((x) => x.flightId === f.flightId);
    const best = cheapest(mine.map((x) => ({ ...x, amountMinor: x.price!.amountMinor, available: x.seatsLeft })));
    const p = f.price!;
    assert.is(f.offerCount, new Set(mine.map((x) => x.sellerId)).size, f.flightId);
    if (!best) {
      assert.is(p.status, PriceStatus.MISSING, `${f.flightId}: sold out`);
      continue;
    }
    const markdown = markdownOf(balance, best.amountMinor);
    assert.equal([p.status, p.sellerId, p.listed?.amountMinor], [PriceStatus.FRESH, best.sellerId, best.amountMinor], f.flightId);
    assert.equal([p.markdown?.amountMinor, p.price?.amountMinor], [markdown, best.amountMinor - markdown], f.flightId);
    const departs = departure(inv, inv.flightByNumber.get(f.flightNumber)!, inv.todayDay + days).departs;
    assert.ok(f.departureLocal.startsWith(departs), `${f.departureLocal} is ${departs} local`);
    assert.match(f.departureLocal, /[+-]\d\d:\d\d$/);
  }
  return results.filter((f) => f.price!.status === PriceStatus.FRESH).length;
}
