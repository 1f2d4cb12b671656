// Catalog messages as records and back.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type {
  Airport,
  AirportSchema,
  Flight,
  FlightSchema,
  Hotel,
  HotelSchema,
  CityAliases,
} from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import { invalidArgument } from "../../endpoints/errors.js";
import type { AirportRecord, FlightListing, FlightRecord, HotelListing, HotelRecord } from "./listings.js";

export function hotelListing(h: Hotel): HotelListing {
  return {
    hotelId: h.hotelId,
    name: h.name.trim(),
    cityId: h.cityId,
    cityName: h.cityName.trim(),
    countryCode: h.countryCode,
    countryName: h.countryName.trim(),
    starRating: h.starRating,
    address: h.address,
    amenities: h.amenities,
    imageUrls: h.imageUrls,
    rooms: h.rooms.map((r) => ({ roomId: r.roomId, name: r.name, maxOccupancy: r.maxOccupancy, amenities: r.amenities })),
  };
}

export function cityAliases(map: { [cityId: string]: CityAliases }): Map<string, string[]> {
  return new Map(Object.entries(map).map(([cityId, a]) => [cityId, a.aliases]));
}

export function hotelMessage(h: HotelRecord): MessageInitShape<typeof HotelSchema> {
  return {
    hotelId: h.hotelId,
    name: h.name,
    cityId: h.cityId,
    cityName: h.cityName,
    countryCode: h.countryCode,
    countryName: h.countryName,
    starRating: h.starRating,
    address: h.address,
    amenities: h.amenities,
    imageUrls: h.imageUrls,
    rooms: h.rooms,
    sellerIds: h.sellerIds,
    updateTime: timestampFromDate(h.updateTime),
  };
}

export function airportRecord(a: Airport): AirportRecord {
  return {
    code: a.code,
    name: a.name,
    cityId: a.cityId,
    cityName: a.cityName,
    countryCode: a.countryCode,
    timeZone: a.timeZone,
  };
}

export function airportMessage(a: AirportRecord): MessageInitShape<typeof AirportSchema> {
  return { ...a };
}

/** The validators guarantee both instants and the date; a direct call without them fails here. */
export function flightListing(f: Flight, path: string): FlightListing {
  return {
    flightId: f.flightId,
    carrierCode: f.carrierCode,
    carrierName: f.carrierName,
    flightNumber: f.flightNumber,
    origin: f.origin,
    destination: f.destination,
    departureTime: instant(f.departureTime, `${path}.departure_time`),
    arrivalTime: instant(f.arrivalTime, `${path}.arrival_time`),
    departureDate: isoDate(f.departureDate, `${path}.departure_date`),
    aircraft: f.aircraft,
    cabinServices: f.cabinServices,
  };
}

export function flightMessage(f: FlightRecord): MessageInitShape<typeof FlightSchema> {
  return {
    flightId: f.flightId,
    carrierCode: f.carrierCode,
    carrierName: f.carrierName,
    flightNumber: f.flightNumber,
    origin: f.origin,
    destination: f.destination,
    departureTime: timestampFromDate(f.departureTime),
    arrivalTime: timestampFromDate(f.arrivalTime),
    departureDate: calendarDate(f.departureDate),
    aircraft: f.aircraft,
    cabinServices: f.cabinServices,
    sellerIds: f.sellerIds,
  };
}

function instant(t: Timestamp | undefined, field: string): Date {
  if (!t) throw missing(field);
  return timestampDate(t);
}

/** "2026-12-01". */
export function isoDate(d: CalendarDate | undefined, field: string): string {
  if (!d) throw missing(field);
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

function calendarDate(iso: string): { year: number; month: number; day: number } {
  const [year, month, day] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day };
}

function missing(field: string) {
  return invalidArgument(`${field}: is required`, [{ field, rule: "required", description: "is required" }]);
}
