// Casa Hotels: the sandbox hotel seller, an XML API on port 7102.
//   GET /xml/version                         <feed version/>: the ETag of everything below but bookings; If-None-Match → 304
//   GET /xml/hotels?page=&size=              hotels with rooms (page from 1; size ≤ 500, default 100); photos on this origin
//   GET /xml/aliases                         other names of cities ("NY", "Lisboa")
//   GET /xml/rates?hotel=&from=&to=          one hotel's nightly rates in EUR; throttled, counted
//   GET /xml/rates/bulk?from=&to=&page=&size= every hotel's rates a page at a time (the feed; not counted)
//   POST /xml/bookings <BookingRequest ref hotel room checkIn checkOut/>  books a room (bookings.ts):
//        hotel = <hotel code> of /xml/hotels ("P000123"), room = a <room code> of that hotel ("DBL-STD");
//        200 <BookingResponse ref status="CONFIRMED" code="CASA-…"/> or status="REFUSED" reason="…"
//   POST /xml/cancellations <CancelRequest ref/>  cancels it: 200 <CancelResponse ref status="CANCELLED" code="CASA-…"/>
// `to` is exclusive; at most 90 nights; nights outside the sellable window are left out.
import { XMLParser } from "fast-xml-parser";
import { hotelRates, type Hotel, type Inventory } from "./inventory.js";
import { conditional, dateParam, decimal, HttpError, intParam, originOf, param, readBody, xmlReply, type Api, type Reply } from "./http.js";
import { feedVersion } from "./feed-version.js";
import { element, textElement, XML_DECLARATION, type Attributes } from "./xml.js";
import { BookingDesk, bookingRef, stayDays, unsellableStay } from "./bookings.js";
import { startSellerServer, type RunningSeller, type SellerOptions } from "./seller-server.js";

export const CASA_PORT = 7102;
const MAX_NIGHTS = 90;

function errorReply(status: number, message: string): Reply {
  return xmlReply(XML_DECLARATION + textElement("error", message, { status }), status);
}

function hotelXml(inv: Inventory, h: Hotel, origin: string): string {
  const city = inv.cityById.get(h.cityId)!;
  return element("hotel", { code: h.code }, [
    textElement("name", h.name),
    textElement("city", city.name, { id: city.id }),
    textElement("country", city.countryName, { code: city.countryCode }),
    textElement("stars", h.stars),
    textElement("address", h.address),
    element("amenities", {}, h.amenities.map((a) => textElement("a", a))),
    element("images", {}, h.imagePaths.map((path) => element("img", { src: origin + path }))),
    element(
      "rooms",
      {},
      h.rooms.map((r) =>
        element("room", { code: r.code, occupancy: r.occupancy }, [
          textElement("name", r.name),
          element("amenities", {}, r.amenities.map((a) => textElement("a", a))),
        ]),
      ),
    ),
  ]);
}

function ratesXml(inv: Inventory, h: Hotel, fromDay: number, toDay: number): string[] {
  return hotelRates(inv, h, fromDay, toDay).map((r) =>
    element("rate", { room: r.room, night: r.night, amount: decimal(r.amountMinor), available: r.available }),
  );
}

/** from/to of a rates query: valid dates, to after from, at most 90 nights. */
function stayParams(q: URLSearchParams, defaults?: { from: number; to: number }): { from: number; to: number } {
  const from = dateParam(q, "from", defaults?.from);
  const to = dateParam(q, "to", defaults?.to);
  if (to <= from) throw new HttpError(400, `"to" must be after "from"`);
  if (to - from > MAX_NIGHTS) throw new HttpError(400, `at most ${MAX_NIGHTS} nights per query`);
  return { from, to };
}

function pageOf<T>(items: T[], page: number, size: number): { slice: T[]; pages: number } {
  return { slice: items.slice((page - 1) * size, page * size), pages: Math.max(1, Math.ceil(items.length / size)) };
}

/** The attributes of <BookingRequest …/>; 400 when the document is not one. */
function bookingRequest(parser: XMLParser, xml: string): Record<string, unknown> {
  return attributesOf(parser, xml, "BookingRequest");
}

/** The attributes of the document's <`name` …/> element; 400 when the document is not one. */
function attributesOf(parser: XMLParser, xml: string, name: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (e) {
    throw new HttpError(400, `malformed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const req = doc[name] === "" ? {} : doc[name]; // <BookingRequest/> without attributes
  if (typeof req !== "object" || req === null) throw new HttpError(400, `the document must be a <${name}/>`);
  return req as Record<string, unknown>;
}

function bookingApi(inv: Inventory, desk: BookingDesk): Api {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseAttributeValue: false });
  return {
    method: "POST",
    path: "/xml/bookings",
    handle: async ({ raw }) => {
      const a = bookingRequest(parser, await readBody(raw));
      const ref = bookingRef(a.ref, "ref");
      for (const name of ["hotel", "room"]) {
        if (typeof a[name] !== "string" || a[name] === "") throw new HttpError(400, `attribute "${name}" is required`);
      }
      const hotelCode = a.hotel as string;
      const roomCode = a.room as string;
      const stay = stayDays(a.checkIn, a.checkOut, ["checkIn", "checkOut"]);
      const record = desk.book(ref, () => {
        const hotel = inv.hotelByCode.get(hotelCode);
        if (!hotel) return `unknown hotel ${hotelCode}`;
        if (!hotel.rooms.some((r) => r.code === roomCode)) return `unknown room ${roomCode} at hotel ${hotelCode}`;
        return unsellableStay(inv, stay);
      });
      const attrs: Attributes =
        record.status === "CONFIRMED"
          ? { ref, status: "CONFIRMED", code: record.confirmation! }
          : { ref, status: "REFUSED", reason: record.reason };
      return xmlReply(XML_DECLARATION + element("BookingResponse", attrs));
    },
  };
}

function cancelApi(desk: BookingDesk): Api {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseAttributeValue: false });
  return {
    method: "POST",
    path: "/xml/cancellations",
    handle: async ({ raw }) => {
      const ref = bookingRef(attributesOf(parser, await readBody(raw), "CancelRequest").ref, "ref");
      const record = desk.cancel(ref);
      return xmlReply(XML_DECLARATION + element("CancelResponse", { ref, status: "CANCELLED", code: record.confirmation! }));
    },
  };
}

export function startCasa(opts: SellerOptions): Promise<RunningSeller> {
  const inv = opts.inventory;
  const desk = new BookingDesk("CASA-", 8);
  const version = feedVersion(inv, ["cities", "hotels"]);
  return startSellerServer(opts, {
    errorReply,
    withAdmin: (admin) => desk.attach(admin),
    adminExtras: desk.adminApis(),
    apis: [
      bookingApi(inv, desk),
      cancelApi(desk),
      {
        method: "GET",
        path: "/xml/version",
        handle: ({ raw }) => conditional(raw, version, () => xmlReply(XML_DECLARATION + element("feed", { version }))),
      },
      {
        method: "GET",
        path: "/xml/hotels",
        handle: ({ query, raw }) => {
          const page = intParam(query, "page", 1, 1, 1_000_000);
          const size = intParam(query, "size", 100, 1, 500);
          const { slice, pages } = pageOf(inv.hotels, page, size);
          return xmlReply(XML_DECLARATION + element("hotels", { page, pages }, slice.map((h) => hotelXml(inv, h, originOf(raw)))));
        },
      },
      {
        method: "GET",
        path: "/xml/aliases",
        handle: () =>
          xmlReply(
            XML_DECLARATION +
              element(
                "aliases",
                {},
                inv.cities
                  .filter((c) => c.aliases.length > 0)
                  .map((c) => element("city", { id: c.id, name: c.name }, c.aliases.map((a) => textElement("alias", a)))),
              ),
          ),
      },
      {
        method: "GET",
        path: "/xml/rates",
        priced: true,
        handle: ({ query }) => {
          const code = param(query, "hotel");
          const hotel = inv.hotelByCode.get(code);
          if (!hotel) throw new HttpError(404, `unknown hotel ${code}`);
          const { from, to } = stayParams(query);
          return xmlReply(
            XML_DECLARATION + element("rates", { hotel: hotel.code, currency: "EUR" }, ratesXml(inv, hotel, from, to)),
          );
        },
      },
      {
        method: "GET",
        path: "/xml/rates/bulk",
        handle: ({ query }) => {
          const { from, to } = stayParams(query, { from: inv.todayDay, to: inv.todayDay + Math.min(inv.days, MAX_NIGHTS) });
          const page = intParam(query, "page", 1, 1, 1_000_000);
          const size = intParam(query, "size", 50, 1, 200);
          const { slice, pages } = pageOf(inv.hotels, page, size);
          const hotels = slice.map((h) => element("hotel", { code: h.code }, ratesXml(inv, h, from, to)));
          return xmlReply(XML_DECLARATION + element("rates", { currency: "EUR", page, pages }, hotels));
        },
      },
    ],
  });
}
