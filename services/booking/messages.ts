// Store rows as booking messages, and the dates of a stay.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ReservationSchema, ReservationState, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import type { ReservationRow, ReservationState as State } from "./store.js";

const STATES: Record<State, ReservationState> = {
  paid: ReservationState.PAID,
  confirmed: ReservationState.CONFIRMED,
  fulfilled: ReservationState.FULFILLED,
  cancelled: ReservationState.CANCELLED,
  failed: ReservationState.FAILED,
};

/** The reservation as callers and events see it: the fee once CANCELLED, the refund once FAILED or CANCELLED. */
export function reservationMessage(r: ReservationRow): Reservation {
  const money = (amountMinor: bigint) => ({ amountMinor, currency: r.currency });
  const settled = r.state === "failed" || r.state === "cancelled";
  return create(ReservationSchema, {
    reservationId: r.reservationId,
    customerId: r.customerId,
    paymentId: r.paymentId,
    item: r.item,
    amount: money(r.amountMinor),
    markdown: money(r.markdownMinor),
    state: STATES[r.state],
    sellerReference: r.sellerReference,
    failureReason: r.failureReason,
    ...(r.state === "cancelled" ? { cancellationFee: money(r.cancellationFeeMinor) } : {}),
    ...(settled ? { refunded: money(r.refundedMinor) } : {}),
    createTime: timestampFromDate(r.createTime),
    updateTime: timestampFromDate(r.updateTime),
  });
}

/** "2026-12-01" */
export function isoDate(d: { year: number; month: number; day: number }): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** The nights of a stay: check-in up to the day before check-out ("YYYY-MM-DD" each). */
export function nightsOf(checkIn: CalendarDate, checkOut: CalendarDate): string[] {
  const nights: string[] = [];
  const end = utc(checkOut).getTime();
  for (const day = utc(checkIn); day.getTime() < end; day.setUTCDate(day.getUTCDate() + 1)) {
    nights.push(isoDate({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() }));
  }
  return nights;
}

/** How many nights a stay has (negative when check-out comes first). */
export function nightCount(checkIn: CalendarDate, checkOut: CalendarDate): number {
  return Math.round((utc(checkOut).getTime() - utc(checkIn).getTime()) / 86_400_000);
}

/** Midnight UTC of a calendar date (setUTCFullYear: Date.UTC reads years 0–99 as 1900–1999). */
function utc(d: CalendarDate): Date {
  const date = new Date(Date.UTC(2000, d.month - 1, d.day));
  date.setUTCFullYear(d.year, d.month - 1, d.day);
  return date;
}
