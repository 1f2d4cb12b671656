// Test support for e2e: what the read side should show, computed from the
// sandbox inventory itself (not from any service), and small helpers to read
// answers and failures.
import type { Date as DateMessage } from "../gen/itinera/type/v1/date_pb.js";
import type { HotelResult, RoomResult } from "../gen/itinera/search/v1/search_pb.js";
import { dateOf } from "../sandbox/calendar.js";
import { hotelRates, type Hotel, type Inventory } from "../sandbox/inventory.js";
import type { WanderlyOffer } from "../sandbox/wanderly-offer.js";
/** The KitError a call fails with (fails the test if it succeeds or throws something else). */
export { kitRejection as failure } from "../endpoints/testing.js";

export type CalendarDay = Pick<DateMessage, "year" | "month" | "day">;

/** The date `days` after the inventory's today, as an itinera.type.v1.Date. */
export function dayFromToday(inv: Inventory, days: number): CalendarDay {
  const [year, month, day] = dateOf(inv.todayDay + days).split("-").map(Number);
  return { year: year!, month: month!, day: day! };
}

/** n / d rounded half to even (the sellers' FX rounding, written again here). */
function halfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const twice = (n % d) * 2n;
  return twice > d || (twice === d && q % 2n === 1n) ? q + 1n : q;
}

/** Casa's price of a stay in EUR minor units: the sum of its nightly rates. */
export function casaTotal(inv: Inventory, hotel: Hotel, roomId: string, fromDays: number, toDays: number): bigint {
  return hotelRates(inv, hotel, inv.todayDay + fromDays, inv.todayDay + toDays)
    .filter((r) => r.room === roomId)
    .reduce((sum, r) => sum + BigInt(r.amountMinor), 0n);
}

/** True when the room has rooms left on every night of the stay (pricing keeps no total for a sold-out stay). */
export function sellable(inv: Inventory, hotel: Hotel, roomId: string, fromDays: number, toDays: number): boolean {
  const nights = hotelRates(inv, hotel, inv.todayDay + fromDays, inv.todayDay + toDays).filter((r) => r.room === roomId);
  return nights.length === toDays - fromDays && nights.every((r) => r.available > 0);
}

/** Wanderly's price of a stay in EUR minor units: each GBP night at 1.17 EUR, rounded half-even, summed. */
export function wanderlyTotal(offer: WanderlyOffer, inv: Inventory, hotel: Hotel, roomId: string, fromDays: number, toDays: number): bigint {
  return offer
    .hotelRates(hotel, inv.todayDay + fromDays, inv.todayDay + toDays)
    .filter((r) => r.room === roomId)
    .reduce((sum, r) => sum + halfEven(BigInt(r.price_minor) * 117n, 100n), 0n);
}

/** Any seller's offer as search's choice compares them. */
export interface Offer {
  sellerId: string;
  amountMinor: bigint;
  available: number;
}

/** The offer search must choose: something left, cheapest, then the more reliable seller. */
export function cheapest<O extends Offer>(offers: readonly O[]): O | undefined {
  const reliability: Record<string, number> = { skylark: 990, casa: 980, wanderly: 950 };
  return offers
    .filter((o) => o.available > 0)
    .sort((a, b) => Number(a.amountMinor - b.amountMinor) || (reliability[b.sellerId] ?? 0) - (reliability[a.sellerId] ?? 0))[0];
}

/** Every room of the given hotels in an answer, by "hotel/room". */
export function roomsOf(hotels: readonly HotelResult[], ids: ReadonlySet<string>): Map<string, RoomResult> {
  const rooms = new Map<string, RoomResult>();
  for (const h of hotels) if (ids.has(h.hotelId)) for (const r of h.rooms) rooms.set(`${h.hotelId}/${r.roomId}`, r);
  return rooms;
}

/** Reads a stream to its end (or its error). */
export async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

/** Polls `probe` every 100 ms until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
