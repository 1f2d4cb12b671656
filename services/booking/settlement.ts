// The settlement consumer (group "booking-settlement" on ReservationEvent's
// topic): moves the money after each state change, so that a
// commit is never followed by a lost refund.
//   Paid, Fulfilled → nothing
//   Confirmed  → capture the wallet hold
//   Failed     → release the hold; refund the card what is still owed:
//                the whole amount when the wallet refused the markdown at
//                creation, else what sellers' refund fell short of
//   Cancelled  → from PAID: release the hold, refund the card in full;
//                from CONFIRMED: the hold is captured (again: idempotent), the
//                markdown credited back unless non-refundable, the card refunded
//                what the policy gives back
// Every remote call carries the idempotency key agreed in apis.md, so a
// redelivery or a crash halfway repeats calls that change nothing more. No
// transaction is open while the calls wait (they may take their whole
// deadline; four settle at once): the inbox is read first, then the row, the
// calls are made, and the message is recorded in one short statement after
// the last call succeeded — a redelivery of a settled message calls nothing at
// all. A crash between the last call and the record (or two deliveries at
// once) makes the redelivery repeat the calls, under the same keys: they
// change nothing more. A throw leaves the message to be retried (then
// dead-lettered).
// Calls run as booking's own service principal, never a customer's.
import type { Context, Principal } from "../../endpoints/context.js";
import { derive } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import { ReservationEventSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import type { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { CreditReason, type WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { topicOf, type Bus, type DeliveryMeta, type MessageHandler, type Subscription } from "../../endpoints/bus.js";
import type { BookingStore, ReservationRow } from "./store.js";

export const SETTLEMENT_GROUP = "booking-settlement";

export interface SettlementDeps {
  store: BookingStore;
  wallet: Client<typeof WalletService>;
  payment: Client<typeof PaymentService>;
  /** Booking's own service principal (renewed by identity's token cache). */
  servicePrincipal: (ctx: Context) => Promise<Principal>;
}

/** Starts the consumer (main.ts): group "booking-settlement" on ReservationEvent's topic. */
export function subscribeSettlement(bus: Bus, deps: SettlementDeps): Promise<Subscription> {
  return bus.subscribe({
    topic: topicOf(ReservationEventSchema),
    group: SETTLEMENT_GROUP,
    handler: settlementHandler(deps),
    // reservations settle independently; one reservation's events stay in order
    concurrency: 4,
  });
}

export function settlementHandler(deps: SettlementDeps): MessageHandler<ReservationEvent> {
  const { store, wallet, payment } = deps;

  const money = (r: ReservationRow, amountMinor: bigint) => ({ amountMinor, currency: r.currency });

  async function capture(ctx: Context, r: ReservationRow) {
    if (r.holdId) await wallet.capture(ctx, { idempotencyKey: `capture:${r.reservationId}`, holdId: r.holdId });
  }

  async function release(ctx: Context, r: ReservationRow) {
    if (r.holdId) await wallet.release(ctx, { idempotencyKey: `release:${r.reservationId}`, holdId: r.holdId });
  }

  async function refund(ctx: Context, r: ReservationRow, key: string, amountMinor: bigint, reason: string) {
    if (amountMinor <= 0n) return;
    await payment.refund(ctx, { idempotencyKey: key, paymentId: r.paymentId, amount: money(r, amountMinor), reason });
  }

  async function settleFailed(ctx: Context, r: ReservationRow) {
    await release(ctx, r);
    // The wallet's refusal happened in booking: nobody refunded yet. A seller's
    // refusal was refunded by sellers (same key), perhaps only in part.
    const owed = r.failureSource === "wallet" ? r.amountMinor : r.amountMinor - r.refundedMinor;
    const reason = r.failureSource === "wallet" ? "wallet no longer covers the discount" : "the seller could not book it";
    await refund(ctx, r, `refund:fail:${r.reservationId}`, owed, reason);
  }

  async function settleCancelled(ctx: Context, r: ReservationRow) {
    if (r.cancelledFrom === "paid") {
      await release(ctx, r);
    } else {
      // Captured when the Confirmed event was settled; capturing again under the
      // same key changes nothing, and covers a Confirmed message that was dead-lettered.
      await capture(ctx, r);
      if (r.walletRefundMinor > 0n) {
        await wallet.credit(ctx, {
          idempotencyKey: `credit:cancel:${r.reservationId}`,
          customerId: r.customerId,
          amount: money(r, r.walletRefundMinor),
          reason: CreditReason.REFUND,
          reference: r.reservationId,
        });
      }
    }
    try {
      await refund(ctx, r, `refund:cancel:${r.reservationId}`, r.refundedMinor, "cancelled by the customer");
    } catch (e) {
      // Cancelled while PAID, the policy gives back the whole card amount. Sellers' compensation of a seller's
      // refusal that raced the cancellation may have refunded all of it already (payment: "exceeds what is
      // left"): the card has its money back, once.
      if (!(r.cancelledFrom === "paid" && e instanceof KitError && e.code === Code.FailedPrecondition)) throw e;
      ctx.log.warn({ reservation_id: r.reservationId, err: e.message }, "the card was refunded already (the seller refused the booking as it was cancelled)");
    }
  }

  return async (ctx: Context, event: ReservationEvent, meta: DeliveryMeta) => {
    const { case: kind, value } = event.event;
    // Nothing to settle: sellers books a paid one, and a fulfilled one moved its money when confirmed.
    if (kind === undefined || kind === "paid" || kind === "fulfilled") return;
    const reservationId = value.reservation?.reservationId ?? "";
    await store.recordAfter(meta, async () => {
      // The row, not the event, says what to undo (hold id, failure source,
      // state before a cancellation); those columns never change once set.
      const r = await store.byId(reservationId);
      if (!r) throw new Error(`reservation ${JSON.stringify(reservationId)} of a ${kind} event does not exist`);
      const as = derive(ctx, { principal: await deps.servicePrincipal(ctx) });
      if (kind === "confirmed") await capture(as, r);
      else if (kind === "failed") await settleFailed(as, r);
      else await settleCancelled(as, r);
      ctx.log.info({ reservation_id: r.reservationId, event: kind }, "reservation settled");
    });
  };
}
