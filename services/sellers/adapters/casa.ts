// Casa: a hotel seller with an XML API we pull (parsing in casa-xml.ts).
//   GET /xml/version                      <feed version/>, ETag = the version; If-None-Match → 304 when unchanged
//   GET /xml/hotels?page&size             <hotels page pages><hotel code>…</hotel></hotels>
//   GET /xml/aliases                      <aliases><city id><alias>NY</alias></city></aliases>
//   GET /xml/rates?hotel&from&to          <rates hotel currency><rate room night amount available/></rates>  (throttled)
//   GET /xml/rates/bulk?from&to&page&size <rates currency page pages><hotel code><rate …/></hotel></rates>   (the feed)
//   POST /xml/bookings <BookingRequest ref hotel room checkIn checkOut/>
//        200 <BookingResponse ref status="CONFIRMED" code/> | <BookingResponse ref status="REFUSED" reason/>
// Pages count from 1; `to` is excluded.
import type { Context } from "../../../endpoints/context.js";
import { Code, KitError } from "../../../endpoints/errors.js";
import type { HotelOffer, NightlyRate } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Item } from "../../../gen/itinera/type/v1/item_pb.js";
import { propertyCodeOf, type BookingResult, type CancelResult, type Listings, type RateWindow, type SellerAdapter, type Stay } from "../adapter.js";
import { formatDate } from "../calendar.js";
import { SellerHttp } from "../seller-http.js";
import { offersFromNightlyRates } from "../stay-offers.js";
import { cancelAnswer, isRefusal, refused, stayOf } from "./booking.js";
import {
  bookingRequestXml,
  cancelRequestXml,
  casaXmlParser,
  errorText,
  parseAliases,
  parseBookingResponse,
  parseBulkRates,
  parseHotelRates,
  parseHotels,
} from "./casa-xml.js";
import { DEFAULT_BOOK_TIMEOUT_MS, DEFAULT_PULL_TIMEOUT_MS, type AdapterOptions } from "./options.js";

/** Hotels per listing page. */
const HOTELS_PER_PAGE = 100;
/** Hotels per bulk-rate page (× 4 rooms × 90 nights ≈ 18 000 rates). */
const HOTELS_PER_RATE_PAGE = 50;

export function casaAdapter(opts: AdapterOptions): SellerAdapter {
  const http = new SellerHttp(opts);
  const parser = casaXmlParser();
  const now = opts.now ?? (() => new Date());
  const pull = { timeoutMs: opts.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS };
  const sellerId = opts.sellerId;

  return {
    id: sellerId,
    name: "Casa Hotels",
    feed: "pull",

    feedVersion: (ctx, known) => http.feedVersion(ctx, "/xml/version", known, pull),

    async *pullListings(ctx: Context): AsyncIterable<Listings> {
      const cityAliases = parseAliases(parser, await http.getText(ctx, "/xml/aliases", pull));
      for (let page = 1, pages = 1; page <= pages; page++) {
        const xml = await http.getText(ctx, "/xml/hotels", { ...pull, query: { page, size: HOTELS_PER_PAGE } });
        const parsed = parseHotels(parser, xml, sellerId);
        pages = parsed.pages;
        yield { hotels: parsed.hotels, flights: [], airports: [], cityAliases };
      }
    },

    async *pullRates(ctx: Context, window: RateWindow): AsyncIterable<NightlyRate[]> {
      const range = { from: formatDate(window.from), to: formatDate(window.to) };
      for (let page = 1, pages = 1; page <= pages; page++) {
        const xml = await http.getText(ctx, "/xml/rates/bulk", {
          ...pull,
          query: { ...range, page, size: HOTELS_PER_RATE_PAGE },
        });
        const parsed = parseBulkRates(parser, xml, opts.fx);
        pages = parsed.pages;
        yield parsed.rates;
      }
    },

    async quoteHotelStay(ctx: Context, hotelId: string, stay: Stay): Promise<HotelOffer[]> {
      const code = propertyCodeOf(hotelId);
      if (code === undefined) return [];
      const xml = await http.getText(ctx, "/xml/rates", {
        throttled: true,
        query: { hotel: code, from: formatDate(stay.checkIn), to: formatDate(stay.checkOut) },
      });
      return offersFromNightlyRates(parseHotelRates(parser, xml, opts.fx), stay, sellerId, now());
    },

    async book(ctx: Context, ref: string, item: Item): Promise<BookingResult> {
      const stay = stayOf(item, "Casa Hotels");
      if (isRefusal(stay)) return stay;
      const xml = bookingRequestXml({ ref, hotel: stay.propertyCode, room: stay.roomCode, checkIn: stay.checkIn, checkOut: stay.checkOut });
      const answer = await http.post(ctx, "/xml/bookings", xml, "application/xml", {
        timeoutMs: opts.bookTimeoutMs ?? DEFAULT_BOOK_TIMEOUT_MS,
      });
      const result = parseBookingResponse(parser, answer.body);
      if (result) return result;
      // Not a BookingResponse: a 4xx is a request Casa will never accept; a 2xx is Casa's bug, retried.
      if (answer.status >= 400) return refused(errorText(parser, answer.body) || `Casa Hotels rejected the booking request (HTTP ${answer.status})`);
      throw new KitError(Code.Internal, `Casa Hotels answered a booking with HTTP ${answer.status} and no <BookingResponse>`);
    },

    async cancel(ctx: Context, ref: string): Promise<CancelResult> {
      const answer = await http.post(ctx, "/xml/cancellations", cancelRequestXml(ref), "application/xml", {
        timeoutMs: opts.bookTimeoutMs ?? DEFAULT_BOOK_TIMEOUT_MS,
      });
      return cancelAnswer(answer, "Casa Hotels", (body) => errorText(parser, body));
    },

    breakerState: () => http.breakerState(),
    close: () => http.close(),
  };
}
