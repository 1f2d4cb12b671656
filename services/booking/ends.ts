// When a reservation's stay or flight has ended, the moment the fulfilment
// sweep (fulfilment.ts) may make it FULFILLED. Booking knows the dates but
// not the hotel's or airport's time zone, so "ended" is taken where it
// happens last — every time zone is within UTC−12 … UTC+14:
//   hotel stay  the check-out day is over everywhere: the day after
//               check-out at 12:00 UTC (midnight at UTC−12)
//   flight      the last flight (the return, else the outbound) has landed
//               everywhere: its local departure date + 3 days at 12:00 UTC
//               (a flight lands at most two calendar days after its local
//               departure date, across the date line)
// A flight id that does not end in its departure date ("SL123-2026-12-01")
// has no known end: undefined, and the reservation is never swept.
import type { Item } from "../../gen/itinera/type/v1/item_pb.js";

const DAY_MS = 86_400_000;
const NOON_MS = 12 * 3_600_000;

export function endOf(item: Item): Date | undefined {
  const kind = item.kind;
  if (kind.case === "hotelStay") {
    const d = kind.value.checkOut;
    return d ? at(d.year, d.month, d.day, 1) : undefined;
  }
  if (kind.case === "flightTrip") {
    const last = kind.value.returnFlightId || kind.value.outboundFlightId;
    const m = /-(\d{4})-(\d{2})-(\d{2})$/.exec(last);
    return m ? at(Number(m[1]), Number(m[2]), Number(m[3]), 3) : undefined;
  }
  return undefined;
}

/** `days` after the date, at 12:00 UTC; undefined for a date that does not exist. */
function at(year: number, month: number, day: number, days: number): Date | undefined {
  const midnight = new Date(Date.UTC(2000, month - 1, day));
  midnight.setUTCFullYear(year, month - 1, day);
  if (midnight.getUTCFullYear() !== year || midnight.getUTCMonth() !== month - 1 || midnight.getUTCDate() !== day) return undefined;
  return new Date(midnight.getTime() + days * DAY_MS + NOON_MS);
}
