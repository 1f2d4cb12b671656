// CreateReservation: the reservation of an authorised payment (DOMAIN.md,
// saga step 3). Called by payment's consumer, at least once per payment.
//
// Order of work, and why it survives a crash or a retry at any point:
//   1. the reservation id is derived from the payment id (ids.ts);
//   2. an advisory lock on the payment id serialises concurrent calls: the
//      second finds the first one's reservation and answers it;
//   3. the wallet holds the markdown under "hold:<reservation id>" — a retry
//      after a crash here holds under the same key and the wallet answers the
//      first hold, so there is never a second one;
//   4. one transaction: the reservation (PAID, with the hold id), the room's
//      nights counted down (rooms.ts), ReservationPaid (and RoomSoldOut) published.
// If the wallet refuses (the balance no longer covers the markdown), the
// reservation is made FAILED instead and ReservationFailed published: the
// settlement consumer refunds the card. Step 3 runs inside the transaction of
// step 2 (a remote call while a connection is held): the lock is what keeps
// ten simultaneous retries from calling the wallet ten times.
import { equals, type MessageInitShape } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import { alreadyExists, Code, invalidArgument, KitError } from "../../endpoints/errors.js";
import { summarise } from "../../endpoints/middleware/validation.js";
import { currencyCodes, validator } from "../../endpoints/rules.js";
import type { Reservation, CreateReservationRequest, CreateReservationResponseSchema } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { asBooking, DEFAULT_SETTINGS, type BookingServiceDeps } from "./deps.js";
import { endOf } from "./ends.js";
import { publishReservationEvent } from "./events.js";
import { reservationIdOf } from "./ids.js";
import { reservationMessage } from "./messages.js";
import { takeRoom } from "./rooms.js";
import type { BookingTransaction, ReservationRow } from "./store.js";
import { createReservationChecks } from "./validators.js";

export const WALLET_REFUSED_REASON = "Your wallet no longer covers the discount; the payment is refunded.";

type Response = MessageInitShape<typeof CreateReservationResponseSchema>;

export function createReservation(deps: BookingServiceDeps) {
  const { store, bus } = deps;
  const settings = deps.settings ?? DEFAULT_SETTINGS;
  const now = deps.now ?? (() => new Date());
  const currencies = currencyCodes();
  const validate = validator((req: CreateReservationRequest) => createReservationChecks(req, currencies));

  /** The wallet's hold of the markdown: its id, "refused", or null when there is nothing to hold. */
  async function holdMarkdown(ctx: Context, reservationId: string, req: CreateReservationRequest): Promise<string | null | "refused"> {
    const markdown = req.markdown?.amountMinor ?? 0n;
    if (markdown <= 0n) return null;
    try {
      const res = await deps.wallet.hold(await asBooking(deps, ctx), {
        idempotencyKey: `hold:${reservationId}`,
        customerId: req.customerId,
        amount: { amountMinor: markdown, currency: req.amount!.currency },
        reference: reservationId,
      });
      return res.hold!.holdId;
    } catch (e) {
      // The balance was spent since the search priced the markdown. Anything else
      // (wallet down, timeout) fails the call: payment's consumer retries it.
      if (e instanceof KitError && e.code === Code.FailedPrecondition) {
        ctx.log.warn({ reservation_id: reservationId, payment_id: req.paymentId, reason: e.message }, "the wallet refused the markdown hold");
        return "refused";
      }
      throw e;
    }
  }

  async function make(ctx: Context, tx: BookingTransaction, reservationId: string, req: CreateReservationRequest): Promise<ReservationRow> {
    const hold = await holdMarkdown(ctx, reservationId, req);
    const amount = req.amount!;
    const base = {
      reservationId,
      paymentId: req.paymentId,
      customerId: req.customerId,
      item: req.item!,
      currency: amount.currency,
      amountMinor: amount.amountMinor,
      markdownMinor: req.markdown?.amountMinor ?? 0n,
      endsTime: endOf(req.item!) ?? null,
      time: now(),
    };
    if (hold === "refused") {
      const row = await tx.insert({
        ...base,
        state: "failed",
        holdId: null,
        failureSource: "wallet",
        failureReason: WALLET_REFUSED_REASON,
        refundedMinor: amount.amountMinor,
      });
      await publishReservationEvent(bus, tx.outbox, ctx, "failed", reservationMessage(row));
      return row;
    }
    const row = await tx.insert({ ...base, state: "paid", holdId: hold });
    await takeRoom(bus, tx, ctx, row.item, settings.roomThreshold);
    await publishReservationEvent(bus, tx.outbox, ctx, "paid", reservationMessage(row));
    return row;
  }

  return async function createReservationHandler(ctx: Context, req: CreateReservationRequest): Promise<Response> {
    const violations = validate(req);
    if (violations.length > 0) throw invalidArgument(summarise(violations), violations);
    const existing = await store.byPaymentId(req.paymentId);
    if (existing) return { reservation: replay(existing, req) };
    const reservationId = reservationIdOf(req.paymentId);
    const row = await store.transaction(async (tx) => {
      await tx.lockPayment(req.paymentId);
      const raced = await tx.byPaymentId(req.paymentId);
      return raced ?? make(ctx, tx, reservationId, req);
    });
    return { reservation: replay(row, req) };
  };
}

/**
 * A repeated call answers the reservation as it is now, whatever its state.
 * The same payment id with a different request is a caller's bug, not a retry.
 */
function replay(row: ReservationRow, req: CreateReservationRequest): Reservation {
  const same =
    row.customerId === req.customerId &&
    row.currency === req.amount!.currency &&
    row.amountMinor === req.amount!.amountMinor &&
    row.markdownMinor === (req.markdown?.amountMinor ?? 0n) &&
    equals(ItemSchema, row.item, req.item!);
  if (!same) {
    throw alreadyExists(`payment ${req.paymentId} already has reservation ${row.reservationId}, made from a different request`);
  }
  return reservationMessage(row);
}
