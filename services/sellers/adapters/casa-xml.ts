// Casa's XML documents → our messages. fast-xml-parser turns XML into plain
// objects (attributes as "@name", text beside attributes as "#text", the
// repeated elements listed in ARRAYS always as lists); the functions here
// read those objects into catalog and pricing messages, amounts converted to
// EUR minor units.
import { create } from "@bufbuild/protobuf";
import { XMLParser } from "fast-xml-parser";
import { HotelSchema, RoomSchema, type Hotel } from "../../../gen/itinera/catalog/v1/catalog_pb.js";
import { NightlyRateSchema, type NightlyRate } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import { hotelIdOf, type BookingResult } from "../adapter.js";
import { parseDate } from "../calendar.js";
import type { FxTable } from "../fx.js";
import { integer, list, record, SellerDataError, text, within, type Fields } from "./fields.js";

/** Elements that repeat, by path: always parsed as lists, even when there is one. */
const ARRAYS = new Set([
  "hotels.hotel",
  "hotels.hotel.amenities.a",
  "hotels.hotel.images.img",
  "hotels.hotel.rooms.room",
  "hotels.hotel.rooms.room.amenities.a",
  "aliases.city",
  "aliases.city.alias",
  "rates.rate",
  "rates.hotel",
  "rates.hotel.rate",
]);

/** One per adapter. Values stay strings: this file parses numbers and amounts itself. */
export function casaXmlParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    textNodeName: "#text",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (_name, path, _leaf, isAttribute) => !isAttribute && typeof path === "string" && ARRAYS.has(path),
  });
}

/** A page of /xml/hotels. */
export interface HotelsPage {
  hotels: Hotel[];
  page: number;
  pages: number;
}

/** A page of /xml/rates/bulk. */
export interface RatesPage {
  rates: NightlyRate[];
  page: number;
  pages: number;
}

function root(parser: XMLParser, xml: string, name: string): Fields {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (e) {
    throw new SellerDataError(`<${name}> document is not well-formed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const top = record(doc, "XML document")[name];
  // An element with no children and no attributes parses as "".
  if (top === "" || top === undefined) {
    if (top === undefined) throw new SellerDataError(`expected a <${name}> document`);
    return {};
  }
  return record(top, `<${name}>`);
}

/** The text of an element, with or without attributes ("" when empty). */
function textOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "object" && value !== null && typeof (value as Fields)["#text"] === "string") {
    return ((value as Fields)["#text"] as string).trim();
  }
  return "";
}

/** The child list `key` of a container element like <amenities> (missing or empty: none). */
function children(container: unknown, key: string, what: string): unknown[] {
  if (container === undefined || container === "" || container === null) return [];
  const items = record(container, what)[key];
  return items === undefined ? [] : list(items, `${what}.${key}`);
}

function pageOf(el: Fields, what: string): { page: number; pages: number } {
  return {
    page: el["@page"] === undefined ? 1 : integer(el, "@page", what),
    pages: el["@pages"] === undefined ? 1 : integer(el, "@pages", what),
  };
}

/** /xml/hotels → Hotel messages listed by `sellerId`. */
export function parseHotels(parser: XMLParser, xml: string, sellerId: string): HotelsPage {
  const top = root(parser, xml, "hotels");
  const hotels = (top.hotel === undefined ? [] : list(top.hotel, "hotels.hotel")).map((item, i) => {
    const what = `hotel[${i}]`;
    const h = record(item, what);
    const code = text(h, "@code", what);
    const city = record(h.city, `${what}.city`);
    const country = record(h.country, `${what}.country`);
    const name = textOf(h.name);
    if (name === "") throw new SellerDataError(`${what}.name is missing`);
    const rooms = children(h.rooms, "room", `${what}.rooms`).map((r, j) => {
      const rw = `${what}.rooms.room[${j}]`;
      const room = record(r, rw);
      return create(RoomSchema, {
        roomId: text(room, "@code", rw),
        name: textOf(room.name),
        maxOccupancy: integer(room, "@occupancy", rw),
        amenities: children(room.amenities, "a", `${rw}.amenities`).map(textOf).filter((a) => a !== ""),
      });
    });
    const stars = integer({ stars: textOf(h.stars) }, "stars", what);
    if (stars < 1 || stars > 5) throw new SellerDataError(`${what}.stars must be from 1 to 5, got ${stars}`);
    return create(HotelSchema, {
      hotelId: hotelIdOf(code),
      name,
      cityId: text(city, "@id", `${what}.city`),
      cityName: textOf(city),
      countryCode: text(country, "@code", `${what}.country`).toUpperCase(),
      countryName: textOf(country),
      starRating: stars,
      address: textOf(h.address),
      amenities: children(h.amenities, "a", `${what}.amenities`).map(textOf).filter((a) => a !== ""),
      imageUrls: children(h.images, "img", `${what}.images`).map((img, j) =>
        text(record(img, `${what}.images.img[${j}]`), "@src", `${what}.images.img[${j}]`),
      ),
      rooms,
      sellerIds: [sellerId],
    });
  });
  return { hotels, ...pageOf(top, "<hotels>") };
}

/** /xml/aliases → other names by our city id. */
export function parseAliases(parser: XMLParser, xml: string): Map<string, string[]> {
  const top = root(parser, xml, "aliases");
  const out = new Map<string, string[]>();
  for (const [i, item] of (top.city === undefined ? [] : list(top.city, "aliases.city")).entries()) {
    const city = record(item, `aliases.city[${i}]`);
    const names = (city.alias === undefined ? [] : list(city.alias, `aliases.city[${i}].alias`)).map(textOf);
    out.set(text(city, "@id", `aliases.city[${i}]`), names.filter((n) => n !== ""));
  }
  return out;
}

/** <rate room night amount available/> elements of one hotel → NightlyRate messages in EUR. */
function ratesOf(items: unknown[], propertyCode: string, currency: string, fx: FxTable, what: string): NightlyRate[] {
  return items.map((item, i) => {
    const rw = `${what}.rate[${i}]`;
    const r = record(item, rw);
    return within(rw, () =>
      create(NightlyRateSchema, {
        hotelId: hotelIdOf(propertyCode),
        roomId: text(r, "@room", rw),
        night: parseDate(text(r, "@night", rw)),
        price: fx.decimalToEur(text(r, "@amount", rw), currency),
        available: integer(r, "@available", rw),
      }),
    );
  });
}

/** /xml/rates?hotel=… → that hotel's nightly rates in EUR. */
export function parseHotelRates(parser: XMLParser, xml: string, fx: FxTable): NightlyRate[] {
  const top = root(parser, xml, "rates");
  const code = text(top, "@hotel", "<rates>");
  const currency = text(top, "@currency", "<rates>").toUpperCase();
  return ratesOf(top.rate === undefined ? [] : list(top.rate, "rates.rate"), code, currency, fx, "rates");
}

/** /xml/rates/bulk → one page of many hotels' nightly rates in EUR. */
export function parseBulkRates(parser: XMLParser, xml: string, fx: FxTable): RatesPage {
  const top = root(parser, xml, "rates");
  const currency = text(top, "@currency", "<rates>").toUpperCase();
  const rates = (top.hotel === undefined ? [] : list(top.hotel, "rates.hotel")).flatMap((item, i) => {
    const what = `rates.hotel[${i}]`;
    const h = record(item, what);
    return ratesOf(h.rate === undefined ? [] : list(h.rate, `${what}.rate`), text(h, "@code", what), currency, fx, what);
  });
  return { rates, ...pageOf(top, "<rates>") };
}

/** A value for an XML attribute in double quotes. */
function attribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** <BookingRequest ref hotel room checkIn checkOut/>. */
export function bookingRequestXml(b: { ref: string; hotel: string; room: string; checkIn: string; checkOut: string }): string {
  return (
    `<BookingRequest ref="${attribute(b.ref)}" hotel="${attribute(b.hotel)}" room="${attribute(b.room)}"` +
    ` checkIn="${attribute(b.checkIn)}" checkOut="${attribute(b.checkOut)}"/>`
  );
}

/** <CancelRequest ref/>: cancels the booking made under `ref`. */
export function cancelRequestXml(ref: string): string {
  return `<CancelRequest ref="${attribute(ref)}"/>`;
}

/**
 * <BookingResponse ref status="CONFIRMED" code/> or <BookingResponse ref
 * status="REFUSED" reason/> → a BookingResult; undefined when the document
 * is not a BookingResponse (an <error>, or nothing readable).
 */
export function parseBookingResponse(parser: XMLParser, xml: string): BookingResult | undefined {
  let top: Fields;
  try {
    top = root(parser, xml, "BookingResponse");
  } catch {
    return undefined;
  }
  const status = typeof top["@status"] === "string" ? top["@status"].trim().toUpperCase() : "";
  const code = typeof top["@code"] === "string" ? top["@code"].trim() : "";
  const reason = typeof top["@reason"] === "string" ? top["@reason"].trim() : "";
  if (status === "CONFIRMED" && code !== "") return { status: "confirmed", reference: code };
  if (status === "REFUSED") return { status: "refused", reason: reason || "Casa refused the booking" };
  return undefined;
}

/** The text of an <error status="N">…</error> document, or "". */
export function errorText(parser: XMLParser, xml: string): string {
  try {
    const doc = record(parser.parse(xml), "XML document");
    return textOf(doc.error);
  } catch {
    return "";
  }
}
