// Booking (itinera.booking.v1.BookingService): reservations and their state
// machine, the cancellation policy, room availability thresholds. Pure logic
// over its store, the bus (events published in the same transaction as each
// change) and a wallet client; the reads live here, CreateReservation in
// create.ts, the later state changes in transitions.ts.
import { failedPrecondition } from "../../endpoints/errors.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import type { Service } from "../../endpoints/service.js";
import type { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { createReservation } from "./create.js";
import { cancellable, DEFAULT_SETTINGS, visibleTo, type BookingServiceDeps } from "./deps.js";
import { cancellationTerms } from "./fees.js";
import { reservationMessage } from "./messages.js";
import { reservationCursor } from "./list-cursor.js";
import { countReservationsByState } from "./stats.js";
import { transitions } from "./transitions.js";

export type { BookingServiceDeps, BookingSettings } from "./deps.js";

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export function bookingService(deps: BookingServiceDeps): Service<typeof BookingService> {
  const { store } = deps;
  const tokens = pageTokens({ secret: deps.pageTokenSecret, list: "ListReservations", codec: reservationCursor, scopeIs: "customer" });
  const settings = deps.settings ?? DEFAULT_SETTINGS;
  const changes = transitions(deps);

  return {
    createReservation: createReservation(deps),

    async getReservation(ctx, req) {
      // Customers read their own; sellers, the one service GetReservation's callers option admits, reads any.
      const row = visibleTo(ctx, await store.byId(req.reservationId), req.reservationId, true);
      return { reservation: reservationMessage(row) };
    },

    async listReservations(ctx, req) {
      const customerId = customerOf(ctx);
      const size = Math.min(req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const beforeSeq = tokens.start([customerId], req.pageToken);
      const rows = await store.list({ customerId, limit: size + 1, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
      const page = rows.slice(0, size);
      const last = page[page.length - 1];
      return {
        reservations: page.map(reservationMessage),
        nextPageToken: rows.length > size && last ? tokens.encode([customerId], last.seq) : "",
      };
    },

    async quoteCancellation(ctx, req) {
      customerOf(ctx);
      const row = visibleTo(ctx, await store.byId(req.reservationId), req.reservationId, false);
      const terms = cancellationTerms(cancellable(row), settings.cancellation);
      if (!terms.ok) throw failedPrecondition(terms.reason);
      const money = (amountMinor: bigint) => ({ amountMinor, currency: row.currency });
      return {
        fee: money(terms.feeMinor),
        refund: money(terms.refundMinor),
        walletRefund: money(terms.walletRefundMinor),
        policy: terms.policy,
      };
    },

    cancelReservation: changes.cancelReservation,
    confirmReservation: changes.confirmReservation,
    failReservation: changes.failReservation,
    countReservationsByState: countReservationsByState(deps),
  };
}
