// What Wanderly, the sandbox aggregator, sells and at what price: about a
// tenth of the hotels (same property codes as Casa) and of SkyLark's flights,
// at its own prices in GBP. Prices move when a listing is "revised" (the
// changes Wanderly pushes); quotes and pushes always agree.
import { hash, unit } from "./random.js";
import { dateOf } from "./calendar.js";
import { fares, hotelRates, type Flight, type Hotel, type Inventory } from "./inventory.js";

/** Wanderly's id of a room it sells, "<property code>:<room code>" ("P000123:DBL-STD"): the `product` of pushed listings' rooms and of quotes, and what POST /api/bookings takes. */
export function productId(property: string, room: string): string {
  return `${property}:${room}`;
}

/** Sandbox exchange rates (integer maths happens on the minor units). */
const EUR_TO_GBP = 1 / 1.17;
const USD_TO_GBP = 0.92 / 1.17;

export interface WanderlyRate {
  property: string;
  room: string;
  night: string;
  price_minor: number;
  currency: "GBP";
  available: number;
}

export interface WanderlyFare {
  number: string;
  date: string;
  from: string;
  to: string;
  cabin: string;
  price_minor: number;
  currency: "GBP";
  seats: number;
}

export class WanderlyOffer {
  readonly hotels: Hotel[];
  readonly flights: Flight[];
  private readonly hotelCodes: Set<string>;
  private readonly flightNumbers: Set<string>;
  private readonly revisions = new Map<string, number>();

  /** `share` of the hotels and flights (at least one of each when there are any). */
  constructor(
    private readonly inv: Inventory,
    share = 0.1,
  ) {
    const pick = <T>(items: T[], salt: number, index: (t: T) => number) => {
      const chosen = items.filter((t) => unit(hash(inv.seed, salt, index(t))) < share);
      return chosen.length > 0 || items.length === 0 ? chosen : [items[0]!];
    };
    this.hotels = pick(inv.hotels, 30, (h) => h.index);
    this.flights = pick(inv.flights, 31, (f) => f.index);
    this.hotelCodes = new Set(this.hotels.map((h) => h.code));
    this.flightNumbers = new Set(this.flights.map((f) => f.number));
  }

  sellsHotel(code: string): boolean {
    return this.hotelCodes.has(code);
  }

  sellsFlight(number: string): boolean {
    return this.flightNumbers.has(number);
  }

  /** Wanderly's markup on the seller's price, ±, including the listing's latest revision. */
  private factor(kind: number, index: number, key: string): number {
    const base = 0.88 + 0.22 * unit(hash(this.inv.seed, 32, kind, index));
    const rev = this.revisions.get(key) ?? 0;
    return rev === 0 ? base : base * (0.95 + 0.1 * unit(hash(this.inv.seed, 33, kind, index, rev)));
  }

  hotelRates(hotel: Hotel, fromDay: number, toDay: number): WanderlyRate[] {
    const f = this.factor(0, hotel.index, hotel.code) * EUR_TO_GBP;
    return hotelRates(this.inv, hotel, fromDay, toDay).map((r) => ({
      property: hotel.code,
      room: r.room,
      night: r.night,
      price_minor: Math.round(r.amountMinor * f),
      currency: "GBP",
      available: r.available,
    }));
  }

  flightFares(flight: Flight, day: number): WanderlyFare[] {
    const f = this.factor(1, flight.index, flight.number) * USD_TO_GBP;
    return fares(this.inv, flight, day).map((fare) => ({
      number: flight.number,
      date: dateOf(day),
      from: flight.from,
      to: flight.to,
      cabin: fare.cabin,
      price_minor: Math.round(fare.priceMinor * f),
      currency: "GBP",
      seats: fare.seats,
    }));
  }

  /** Re-prices about a tenth of the hotels and flights (at least one each) for change number `tick`. */
  revise(tick: number): { hotels: Hotel[]; flights: Flight[] } {
    const chosen = <T>(items: T[], salt: number) => {
      const out = items.filter((_, i) => unit(hash(this.inv.seed, salt, tick, i)) < 0.1);
      return out.length > 0 || items.length === 0 ? out : [items[tick % items.length]!];
    };
    const hotels = chosen(this.hotels, 34);
    const flights = chosen(this.flights, 35);
    for (const h of hotels) this.revisions.set(h.code, (this.revisions.get(h.code) ?? 0) + 1);
    for (const f of flights) this.revisions.set(f.number, (this.revisions.get(f.number) ?? 0) + 1);
    return { hotels, flights };
  }
}
