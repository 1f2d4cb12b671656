// What the sellers' booking calls share: the Item read back into the
// seller's own ids, and a seller's answer read into a BookingResult.
//
// Id mapping (catalog → seller), no table needed because ingestion derives
// catalog ids from the sellers' ids without losing anything:
//   hotel_id "h-P000123"          → property / hotel code "P000123" (hotelIdOf)
//   room_id "DBL-STD"             → the seller's room code, kept as is
//   flight id "SL123-2026-12-01"  → flight number "SL123" departing on local date
//                                   2026-12-01 (flightIdOf), which is how SkyLark
//                                   names one dated departure
import { Code, KitError } from "../../../endpoints/errors.js";
import type { Item } from "../../../gen/itinera/type/v1/item_pb.js";
import { flightOf, propertyCodeOf, type BookingResult, type CancelResult } from "../adapter.js";
import { formatDate } from "../calendar.js";
import type { SellerAnswer } from "../seller-http.js";
import { optionalText, record, type Fields } from "./fields.js";

/** A hotel stay in the seller's ids. */
export interface StayToBook {
  propertyCode: string;
  roomCode: string;
  /** "YYYY-MM-DD". */
  checkIn: string;
  checkOut: string;
}

export function refused(reason: string): BookingResult {
  return { status: "refused", reason };
}

export function isRefusal(x: unknown): x is BookingResult {
  return typeof x === "object" && x !== null && (x as BookingResult).status === "refused";
}

/** The stay of a hotel item in the seller's ids, or a refusal saying why it cannot be booked. */
export function stayOf(item: Item, sellerName: string): StayToBook | BookingResult {
  if (item.kind.case !== "hotelStay") return refused(`${sellerName} books hotel rooms only`);
  const stay = item.kind.value;
  const propertyCode = propertyCodeOf(stay.hotelId);
  if (propertyCode === undefined || stay.roomId === "" || !stay.checkIn || !stay.checkOut) {
    return refused(`${sellerName} does not know hotel ${stay.hotelId || "(none)"} room ${stay.roomId || "(none)"}`);
  }
  return { propertyCode, roomCode: stay.roomId, checkIn: formatDate(stay.checkIn), checkOut: formatDate(stay.checkOut) };
}

/** The dated departures of a flight item (outbound, then the return if any), or a refusal. */
export function flightsOf(item: Item, sellerName: string): { flightNumber: string; localDate: string }[] | BookingResult {
  if (item.kind.case !== "flightTrip") return refused(`${sellerName} books flights only`);
  const ids = [item.kind.value.outboundFlightId, item.kind.value.returnFlightId].filter((id) => id !== "");
  const flights = ids.map(flightOf);
  if (ids.length === 0 || flights.some((f) => f === undefined)) {
    return refused(`${sellerName} does not know flight ${ids.join(", ") || "(none)"}`);
  }
  return flights as { flightNumber: string; localDate: string }[];
}

/**
 * A JSON seller's booking answer: 2xx with `confirmation` in field `referenceField`
 * → confirmed; 409 → refused with its `reason`; another 4xx → refused (the
 * request will never be accepted). A 2xx that does not read is the seller's
 * fault and may pass: thrown, so the booking is retried.
 */
export function jsonBookingAnswer(answer: SellerAnswer, sellerName: string, referenceField: string): BookingResult {
  const doc = parseJson(answer.body);
  if (answer.status >= 200 && answer.status < 300) {
    const reference = doc ? optionalText(doc, referenceField) : "";
    if (reference === "") {
      throw new KitError(Code.Internal, `${sellerName} confirmed a booking without a ${referenceField}`);
    }
    return { status: "confirmed", reference };
  }
  return refused(refusalReason(doc, answer.status, sellerName));
}

/**
 * A seller's answer to a cancellation (`reason` reads its error body): 2xx →
 * cancelled; 404 (never booked) or 409 (refused) → not booked, with the
 * seller's words; anything else is thrown, so the cancellation is retried.
 */
export function cancelAnswer(answer: SellerAnswer, sellerName: string, reason: (body: string) => string): CancelResult {
  if (answer.status >= 200 && answer.status < 300) return { status: "cancelled" };
  if (answer.status === 404 || answer.status === 409) {
    return { status: "not_booked", reason: reason(answer.body) || `${sellerName} holds no booking under this reference (HTTP ${answer.status})` };
  }
  throw new KitError(Code.Internal, `${sellerName} answered a cancellation with HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
}

/** The `reason` or `error` of a JSON seller's error body, or "". */
export function jsonReason(body: string): string {
  const doc = parseJson(body);
  return doc ? optionalText(doc, "reason") || optionalText(doc, "error") : "";
}

/** The seller's reason for a refusal, or a sentence built from the status. */
export function refusalReason(doc: Fields | undefined, status: number, sellerName: string): string {
  const said = doc ? optionalText(doc, "reason") || optionalText(doc, "error") : "";
  if (said !== "") return said;
  return status === 409 ? `${sellerName} refused the booking` : `${sellerName} rejected the booking request (HTTP ${status})`;
}

function parseJson(body: string): Fields | undefined {
  try {
    return record(JSON.parse(body) as unknown, "booking answer");
  } catch {
    return undefined;
  }
}
