// The one internal interface every seller sits behind. An adapter speaks its
// seller's API (JSON, XML, webhooks) and answers in our messages only:
// catalog's Hotel/Flight/Airport, pricing's NightlyRate/HotelOffer/FlightFare,
// prices already in EUR minor units, times as UTC instants plus local dates.
// Adding a seller = one file in adapters/ implementing this, plus one line in
// adapters/index.ts. What a seller cannot do, its adapter leaves out (an
// airline has no quoteHotelStay; a push seller has parsePush).
import type { Context } from "../../endpoints/context.js";
import type { BreakerState } from "../../endpoints/middleware/breaker.js";
import type { Airport, Flight, Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { FlightFare, HotelOffer, NightlyRate } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import type { Item } from "../../gen/itinera/type/v1/item_pb.js";
import type { FeedVersion } from "./seller-http.js";

/** How a seller delivers its data: we poll it, or it calls our webhook. */
export type FeedMode = "pull" | "push";

/** One page of a seller's listings, as catalog messages (seller_ids = [the seller]). */
export interface Listings {
  hotels: Hotel[];
  flights: Flight[];
  /** Every airport the seller knows (ingestion sends those a batch's flights use). */
  airports: Airport[];
  /** Other names of cities, by our city id, as the seller gave them. */
  cityAliases: ReadonlyMap<string, readonly string[]>;
}

/** Nights from `from` (first night) up to `to` (excluded). */
export interface RateWindow {
  from: CalendarDate;
  to: CalendarDate;
}

/** A route: IATA codes. */
export interface Route {
  origin: string;
  destination: string;
}

/** A stay: the first night and the day of departure. */
export interface Stay {
  checkIn: CalendarDate;
  checkOut: CalendarDate;
}

/** What one push carried, normalised. */
export interface PushContents {
  /** The seller's id for the push (idempotency). */
  pushId: string;
  listings: Listings;
  rates: NightlyRate[];
  /** Fares it pushed (source FRESH); see the service for where they go. */
  fares: PushedFare[];
}

/** A pushed fare: the flight is named by number and date only. */
export interface PushedFare {
  fare: FlightFare;
  /** "SL123". */
  flightNumber: string;
  /** Its route when the push names it; otherwise found from the flights other sellers list. */
  route?: Route;
}

/**
 * What a seller answered a booking: booked, with its own reference
 * (locator, confirmation code), or refused for good, with its reason.
 */
export type BookingResult = { status: "confirmed"; reference: string } | { status: "refused"; reason: string };

/**
 * What a seller answered a cancellation by our reference: cancelled (again,
 * on a repeat), or it holds no live booking under that reference — it never
 * booked it, or refused it — with its words.
 */
export type CancelResult = { status: "cancelled" } | { status: "not_booked"; reason: string };

export interface SellerAdapter {
  /** Our id of the seller ("skylark"). */
  readonly id: string;
  readonly name: string;
  readonly feed: FeedMode;

  /**
   * The version of everything its pulls bring, asked with the version of our
   * last pull (a conditional request): unchanged, or the version it has now.
   * A pull seller without one is pulled and written in full every time.
   */
  feedVersion?(ctx: Context, known: string | undefined): Promise<FeedVersion>;
  /** Its listings, a page at a time (pull sellers). */
  pullListings?(ctx: Context): AsyncIterable<Listings>;
  /** Its nightly rates over `window`, in EUR, a batch at a time (pull sellers). */
  pullRates?(ctx: Context, window: RateWindow): AsyncIterable<NightlyRate[]>;
  /** Live fares for a route and local departure date (source LIVE, EUR). */
  quoteFlights?(ctx: Context, route: Route, date: CalendarDate): Promise<FlightFare[]>;
  /** Live offers per room for a stay in our hotel `hotelId` (source LIVE, EUR). */
  quoteHotelStay?(ctx: Context, hotelId: string, stay: Stay): Promise<HotelOffer[]>;
  /** Decodes a push body whose signature the service has already verified; throws on a malformed body. */
  parsePush?(body: Uint8Array): PushContents;
  /**
   * Books `item` (catalog ids, mapped back to the seller's own) under our
   * reference `ref` (the reservation id): the seller books a ref at most
   * once, so a repeat answers the first booking. Resolves to the seller's
   * answer — an item it does not sell is refused; throws (a kit error) for
   * what may pass: unreachable, 5xx, 429, timeout, breaker open.
   */
  book?(ctx: Context, ref: string, item: Item): Promise<BookingResult>;
  /**
   * Cancels the booking made under our reference `ref`; a repeat answers
   * cancelled again. Throws (a kit error) for what may pass, as book does.
   */
  cancel?(ctx: Context, ref: string): Promise<CancelResult>;

  /** The state of the breaker in front of its API. */
  breakerState(): BreakerState;
  /** Stops its breaker's timers. */
  close(): void;
}

/** Our hotel id from the property code every seller shares ("P000123" → "h-P000123"). */
export function hotelIdOf(propertyCode: string): string {
  return `h-${propertyCode}`;
}

/** The property code in our hotel id, or undefined when it is not one of ours. */
export function propertyCodeOf(hotelId: string): string | undefined {
  return hotelId.startsWith("h-") && hotelId.length > 2 ? hotelId.slice(2) : undefined;
}

/** Our flight id: number and local departure date ("SL123-2026-12-01"). */
export function flightIdOf(flightNumber: string, localDate: string): string {
  return `${flightNumber}-${localDate}`;
}

/** The number and local date in our flight id, or undefined when it is not one of ours. */
export function flightOf(flightId: string): { flightNumber: string; localDate: string } | undefined {
  const m = /^(.+)-(\d{4}-\d{2}-\d{2})$/.exec(flightId);
  return m ? { flightNumber: m[1]!, localDate: m[2]! } : undefined;
}
