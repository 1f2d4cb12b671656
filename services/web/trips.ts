// The customer's trips: payment and booking asked with the customer's own
// token (forwarded in the Context), so each answers only what is theirs —
// another customer's payment or reservation is NOT_FOUND there, and so here.
//
// A payment does not know its reservation; booking makes it (idempotent by
// payment id) after the gateway's callback. The reservation of a payment is
// found among the customer's reservations, newest first — right after paying
// it is on the first page; the search stops after MAX_PAGES pages. ListTrips
// (reservations and the payments that never became one) is trips-list.ts.
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Context } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import type { Service } from "../../endpoints/service.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { WebServiceDeps, WebSettings } from "./deps.js";
import { FINAL_STATES, fingerprint, tripOf, type TripInit } from "./trip.js";
import { listTrips } from "./trips-list.js";

type Trips = Pick<Service<typeof WebService>, "getTrip" | "watchTrip" | "listTrips" | "quoteCancellation" | "cancelTrip">;

const RESERVATIONS_PAGE = 100;
const MAX_PAGES = 10;
/** WatchTrip ends this long before the call's deadline, normally rather than with DEADLINE_EXCEEDED. */
const END_BEFORE_DEADLINE_MS = 300;

export function trips(deps: WebServiceDeps, settings: WebSettings, now: () => number): Trips {
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));

  async function reservationOfPayment(ctx: Context, paymentId: string): Promise<Reservation | undefined> {
    let pageToken = "";
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await deps.booking.listReservations(ctx, { pageSize: RESERVATIONS_PAGE, pageToken });
      const found = res.reservations.find((r) => r.paymentId === paymentId);
      if (found || res.nextPageToken === "") return found;
      pageToken = res.nextPageToken;
    }
    ctx.log.warn({ payment_id: paymentId }, "reservation of an authorised payment not found in the newest pages");
    return undefined;
  }

  async function tripOfPayment(ctx: Context, paymentId: string): Promise<TripInit> {
    customerOf(ctx);
    const { payment } = await deps.payment.getPayment(ctx, { paymentId });
    const authorised = payment?.state === PaymentState.AUTHORISED;
    return tripOf(payment, authorised ? await reservationOfPayment(ctx, paymentId) : undefined);
  }

  return {
    async getTrip(ctx, req) {
      if (req.paymentId !== "") return { trip: await tripOfPayment(ctx, req.paymentId) };
      const { reservation } = await deps.booking.getReservation(ctx, { reservationId: req.reservationId });
      return { trip: tripOf(undefined, reservation) };
    },

    async *watchTrip(ctx, req) {
      const end = Math.min(now() + settings.watchMaxMs, (ctx.deadline ?? Infinity) - END_BEFORE_DEADLINE_MS);
      let last: string | undefined;
      for (;;) {
        let trip: TripInit | undefined;
        try {
          trip = await tripOfPayment(ctx, req.paymentId);
        } catch (e) {
          // A dependency's hiccup costs one look, not the watch (the first look must succeed).
          if (last === undefined || !transient(e) || ctx.signal.aborted) throw e;
          ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "trip look failed; looking again");
        }
        if (trip) {
          const seen = fingerprint(trip);
          if (seen !== last) {
            last = seen;
            yield { trip };
          }
          if (FINAL_STATES.has(trip.state!)) return;
        }
        if (now() + settings.watchPollMs >= end) return;
        await sleep(settings.watchPollMs, ctx.signal);
      }
    },

    listTrips: listTrips(deps),

    async quoteCancellation(ctx, req) {
      const q = await deps.booking.quoteCancellation(ctx, { reservationId: req.reservationId });
      return { fee: q.fee, refund: q.refund, walletRefund: q.walletRefund, policy: q.policy };
    },

    async cancelTrip(ctx, req) {
      const { reservation } = await deps.booking.cancelReservation(ctx, { reservationId: req.reservationId });
      ctx.log.info({ reservation_id: req.reservationId }, "trip cancelled");
      return { trip: tripOf(undefined, reservation) };
    },
  };
}

function transient(e: unknown): boolean {
  return e instanceof KitError && (e.code === Code.Unavailable || e.code === Code.DeadlineExceeded || e.code === Code.ResourceExhausted);
}
