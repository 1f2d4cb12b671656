// Test fixture: booking routes for the fake sellers (fake-seller.ts), in the
// shapes of the sandbox booking APIs (briefs/apis.md). Like the sandbox,
// each seller books a ref at most once: a repeat answers the first booking
// (or the first refusal), and cancels a booked ref by the same ref (again on
// a repeat; 404 for a ref it never booked, 409 for one it refused). The
// ledger counts requests and distinct refs, and a test chooses which refs are
// refused.
import { XMLParser } from "fast-xml-parser";
import type { FakeAnswer, FakeRoute } from "./fake-seller.js";

export interface BookingLedger {
  /** Booking requests received, repeats included. */
  requests: number;
  /** The first answer per ref: what the seller booked or refused. */
  readonly bookings: Map<string, { reference?: string; refused?: string; body: unknown }>;
  /** Refs this seller refuses (with this reason). */
  refuse: (ref: string) => string | undefined;
  /** Cancellation requests received, repeats included. */
  cancelRequests: number;
  /** The refs whose bookings were cancelled. */
  readonly cancelled: Set<string>;
}

export function bookingLedger(): BookingLedger {
  return { requests: 0, bookings: new Map(), refuse: () => undefined, cancelRequests: 0, cancelled: new Set() };
}

/** A cancellation of `ref`: the status and error of the answer (200 once booked). */
function cancel(ledger: BookingLedger, ref: string): { status: number; error?: string } {
  ledger.cancelRequests++;
  const booked = ledger.bookings.get(ref);
  if (!booked) return { status: 404, error: `no booking with reference ${ref}: nothing to cancel` };
  if (booked.refused) return { status: 409, error: `booking ${ref} was refused: nothing to cancel` };
  ledger.cancelled.add(ref);
  return { status: 200 };
}

/** `reference(n)`: the seller's reference of its n-th booking (from 1). */
function decide(ledger: BookingLedger, ref: string, body: unknown, reference: (n: number) => string) {
  ledger.requests++;
  const first = ledger.bookings.get(ref);
  if (first) return { first, repeat: true };
  const reason = ledger.refuse(ref);
  const entry = reason === undefined ? { reference: reference(ledger.bookings.size + 1), body } : { refused: reason, body };
  ledger.bookings.set(ref, entry);
  return { first: entry, repeat: false };
}

/** SkyLark: POST /v2/bookings. */
export function skylarkBookings(ledger: BookingLedger): Record<string, FakeRoute> {
  return {
    "/v2/bookings": (_url, raw): FakeAnswer => {
      const body = JSON.parse(raw.toString()) as { booking_ref: string; flights: string[] };
      const { first, repeat } = decide(ledger, body.booking_ref, body, (n) => `SK${String(n).padStart(4, "0")}`);
      if (first.refused) return { status: 409, body: { status: "REFUSED", reason: first.refused } };
      return { status: repeat ? 200 : 201, body: { booking_ref: body.booking_ref, locator: first.reference, status: "TICKETED" } };
    },
    "/v2/bookings/cancel": (_url, raw): FakeAnswer => {
      const ref = (JSON.parse(raw.toString()) as { booking_ref: string }).booking_ref;
      const { status, error } = cancel(ledger, ref);
      return { status, body: error ? { error } : { booking_ref: ref, status: "CANCELLED" } };
    },
  };
}

/** Casa: POST /xml/bookings. */
export function casaBookings(ledger: BookingLedger): Record<string, FakeRoute> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });
  return {
    "/xml/bookings": (_url, raw): FakeAnswer => {
      const req = (parser.parse(raw.toString()) as { BookingRequest: Record<string, string> }).BookingRequest;
      const { first } = decide(ledger, req.ref!, req, (n) => `CASA-${String(n).padStart(6, "0")}`);
      return {
        body: first.refused
          ? `<BookingResponse ref="${req.ref}" status="REFUSED" reason="${first.refused}"/>`
          : `<BookingResponse ref="${req.ref}" status="CONFIRMED" code="${first.reference}"/>`,
      };
    },
    "/xml/cancellations": (_url, raw): FakeAnswer => {
      const req = (parser.parse(raw.toString()) as { CancelRequest: Record<string, string> }).CancelRequest;
      const { status, error } = cancel(ledger, req.ref!);
      return { status, body: error ? `<error>${error}</error>` : `<CancelResponse ref="${req.ref}" status="CANCELLED"/>` };
    },
  };
}

/** Wanderly: POST /api/bookings. */
export function wanderlyBookings(ledger: BookingLedger): Record<string, FakeRoute> {
  return {
    "/api/bookings": (_url, raw): FakeAnswer => {
      const body = JSON.parse(raw.toString()) as { request_id: string };
      const { first, repeat } = decide(ledger, body.request_id, body, (n) => `WL${n}`);
      if (first.refused) return { status: 409, body: { status: "REFUSED", reason: first.refused } };
      return { status: repeat ? 200 : 201, body: { request_id: body.request_id, confirmation: first.reference, status: "CONFIRMED" } };
    },
    "/api/bookings/cancel": (_url, raw): FakeAnswer => {
      const ref = (JSON.parse(raw.toString()) as { request_id: string }).request_id;
      const { status, error } = cancel(ledger, ref);
      return { status, body: error ? { error } : { request_id: ref, status: "CANCELLED" } };
    },
  };
}
