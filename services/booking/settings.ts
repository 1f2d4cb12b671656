// Booking's own environment variables (main.ts reads them with config()).
import { int, secret } from "../../platform/config.js";
import type { BookingSettings } from "./deps.js";
import { DEFAULT_CANCELLATION } from "./fees.js";
import { BOOKING_CURRENCY } from "./validators.js";

export function bookingSettings() {
  return {
    /** Bookings of one room-night before pricing is told the room sold out. */
    roomThreshold: int("BOOKING_ROOM_THRESHOLD", 10, { min: 1, max: 1_000_000 }),
    /** The fee of cancelling a normal confirmed booking, in EUR minor units. */
    cancellationFeeMinor: int("BOOKING_CANCELLATION_FEE_MINOR", Number(DEFAULT_CANCELLATION.feeMinor), { min: 0 }),
    /** Time between fulfilment sweeps (fulfilment.ts): how late after its end a reservation may become FULFILLED. */
    fulfilEveryMs: int("BOOKING_FULFIL_EVERY_MS", 60_000, { min: 100, max: 86_400_000 }),
    /** Signs ListReservations page tokens; shared by every booking instance. */
    pageTokenSecret: secret("BOOKING_PAGE_TOKEN_SECRET", "itinera-development-booking-page-tokens"),
  };
}

export function serviceSettings(cfg: { roomThreshold: number; cancellationFeeMinor: number }): BookingSettings {
  return {
    roomThreshold: cfg.roomThreshold,
    cancellation: { ...DEFAULT_CANCELLATION, feeMinor: BigInt(cfg.cancellationFeeMinor), feeCurrency: BOOKING_CURRENCY },
  };
}
