// What the booking service is built from, and the small rules its parts share.
import { derive, type Context, type Principal } from "../../endpoints/context.js";
import { notFound } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { Publisher } from "./events.js";
import { DEFAULT_CANCELLATION, type Cancellable, type CancellationSettings } from "./fees.js";
import type { BookingStore, ReservationRow } from "./store.js";

export interface BookingSettings {
  /** Bookings a room-night takes before RoomSoldOut (BOOKING_ROOM_THRESHOLD). */
  roomThreshold: number;
  cancellation: CancellationSettings;
}

export const DEFAULT_SETTINGS: BookingSettings = { roomThreshold: 10, cancellation: DEFAULT_CANCELLATION };

export interface BookingServiceDeps {
  store: BookingStore;
  bus: Publisher;
  wallet: Client<typeof WalletService>;
  /**
   * Booking's own service principal (identityAccess(...).tokens.principal in
   * main.ts): its wallet calls carry it, never the caller's token — the
   * wallet's commands accept only services, and the caller of
   * CreateReservation is payment, not booking.
   */
  servicePrincipal: (ctx: Context) => Promise<Principal>;
  /** Signs ListReservations page tokens (BOOKING_PAGE_TOKEN_SECRET): every booking instance shares it. */
  pageTokenSecret: string;
  settings?: BookingSettings;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

/** The same context (deadline, request id, trace) acting as booking itself. */
export async function asBooking(deps: Pick<BookingServiceDeps, "servicePrincipal">, ctx: Context): Promise<Context> {
  return derive(ctx, { principal: await deps.servicePrincipal(ctx) });
}

/**
 * Unknown ids and other customers' reservations fail alike, with the same
 * sentence: a customer cannot learn that someone else's id exists.
 */
export function reservationNotFound(reservationId: string) {
  return notFound(`reservation ${reservationId} was not found`);
}

/**
 * The reservation if the caller may see it: its own customer, or — when
 * `services` — any service. Otherwise NOT_FOUND (reservationNotFound).
 */
export function visibleTo(ctx: Context, row: ReservationRow | undefined, reservationId: string, services: boolean): ReservationRow {
  const p = ctx.principal;
  const allowed = (r: ReservationRow) => (p?.kind === "customer" && p.id === r.customerId) || (services && p?.kind === "service");
  if (!row || !allowed(row)) throw reservationNotFound(reservationId);
  return row;
}

/** What the cancellation policy reads of a reservation. */
export function cancellable(r: ReservationRow): Cancellable {
  const kind = r.item.kind;
  return {
    reservationId: r.reservationId,
    state: r.state,
    currency: r.currency,
    amountMinor: r.amountMinor,
    markdownMinor: r.markdownMinor,
    premium: r.item.premium,
    starRating: kind.case === "hotelStay" ? kind.value.starRating : 0,
  };
}
