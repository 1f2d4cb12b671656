// Wanderly: an aggregator that pushes batches to our webhook (listings,
// nightly rates and fares, in GBP minor units, signed with HMAC-SHA256) and
// answers live quotes over JSON (parsing in wanderly-json.ts).
//   POST <our webhook>  {"push_id","sent_at","listings":[hotel],"city_aliases":{id:[…]},
//                        "rates":[{property,room,night,price_minor,currency,available}],
//                        "fares":[{number,date,from,to,cabin,price_minor,currency,seats}]}
//   GET /api/quote/hotel?property&check_in&check_out   {"property","currency","rooms":[{room,total_minor,available,nights:[…]}]}  (throttled)
//   GET /api/quote/flights?from&to&date                {"currency","fares":[…as pushed]}  (throttled)
//   POST /api/bookings {"request_id","product","check_in","check_out"}   (hotel rooms only)
//        201 (200 on a repeat) {"request_id","confirmation","status":"CONFIRMED"} | 409 {"status":"REFUSED","reason"}
import type { Context } from "../../../endpoints/context.js";
import type { FlightFare, HotelOffer } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Date as CalendarDate } from "../../../gen/itinera/type/v1/date_pb.js";
import type { Item } from "../../../gen/itinera/type/v1/item_pb.js";
import { propertyCodeOf, type BookingResult, type CancelResult, type PushContents, type Route, type SellerAdapter, type Stay } from "../adapter.js";
import { formatDate } from "../calendar.js";
import { SellerHttp } from "../seller-http.js";
import { cancelAnswer, isRefusal, jsonBookingAnswer, jsonReason, stayOf, type StayToBook } from "./booking.js";
import { DEFAULT_BOOK_TIMEOUT_MS, type AdapterOptions } from "./options.js";
import { parseFlightQuote, parseHotelQuote, parsePushBody } from "./wanderly-json.js";

export function wanderlyAdapter(opts: AdapterOptions): SellerAdapter {
  const http = new SellerHttp(opts);
  const now = opts.now ?? (() => new Date());
  const sellerId = opts.sellerId;

  return {
    id: sellerId,
    name: "Wanderly",
    feed: "push",

    parsePush: (body: Uint8Array): PushContents => parsePushBody(body, sellerId, opts.fx),

    async quoteHotelStay(ctx: Context, hotelId: string, stay: Stay): Promise<HotelOffer[]> {
      const property = propertyCodeOf(hotelId);
      if (property === undefined) return [];
      const body = await http.getJson(ctx, "/api/quote/hotel", {
        throttled: true,
        query: { property, check_in: formatDate(stay.checkIn), check_out: formatDate(stay.checkOut) },
      });
      return parseHotelQuote(body, sellerId, opts.fx, stay, now());
    },

    async quoteFlights(ctx: Context, route: Route, date: CalendarDate): Promise<FlightFare[]> {
      const body = await http.getJson(ctx, "/api/quote/flights", {
        throttled: true,
        query: { from: route.origin, to: route.destination, date: formatDate(date) },
      });
      return parseFlightQuote(body, sellerId, opts.fx, now());
    },

    async book(ctx: Context, ref: string, item: Item): Promise<BookingResult> {
      const stay = stayOf(item, "Wanderly");
      if (isRefusal(stay)) return stay;
      const body = JSON.stringify({ request_id: ref, product: productOf(stay), check_in: stay.checkIn, check_out: stay.checkOut });
      const answer = await http.post(ctx, "/api/bookings", body, "application/json", {
        timeoutMs: opts.bookTimeoutMs ?? DEFAULT_BOOK_TIMEOUT_MS,
      });
      return jsonBookingAnswer(answer, "Wanderly", "confirmation");
    },

    async cancel(ctx: Context, ref: string): Promise<CancelResult> {
      const answer = await http.post(ctx, "/api/bookings/cancel", JSON.stringify({ request_id: ref }), "application/json", {
        timeoutMs: opts.bookTimeoutMs ?? DEFAULT_BOOK_TIMEOUT_MS,
      });
      return cancelAnswer(answer, "Wanderly", jsonReason);
    },

    breakerState: () => http.breakerState(),
    close: () => http.close(),
  };
}

/** Wanderly's product: a room of a property, as its listings name them. */
export function productOf(stay: StayToBook): string {
  return `${stay.propertyCode}:${stay.roomCode}`;
}
