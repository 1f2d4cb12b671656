// The seller bookings' repository (table seller_bookings and the inbox of
// migration 0002). Each step of the saga is one short statement committed
// on its own, so that what was learnt survives a crash right after it: the
// seller's answer is never asked twice once recorded, and a redelivery
// resumes from the first step not yet done. The last step, the outcome,
// commits with the inbox mark.
import type { Knex } from "knex";
import type { DeliveryMeta } from "../../endpoints/bus.js";
import { alreadyProcessed, markProcessed } from "../../platform/inbox.js";

export type BookingStatus = "pending" | "confirmed" | "refused" | "abandoned";
export type SagaOutcome = "confirmed" | "failed" | "cancelled";

export interface SellerBooking {
  reservationId: string;
  sellerId: string;
  status: BookingStatus;
  /** The seller's reference, when confirmed. */
  reference: string | null;
  /** Why refused or abandoned. */
  reason: string | null;
  attempts: number;
  lastError: string | null;
  /** What the saga did, once finished. */
  outcome: SagaOutcome | null;
  /** What the seller answered our cancellation, once the reservation was cancelled. */
  cancelResult: CancelOutcome | null;
}

/** The seller's answer to our cancellation (adapter.ts CancelResult). */
export type CancelOutcome = "cancelled" | "not_booked";

/** What the seller's answer decided, or its silence: past the deadline, or until the reservation ended (abandoned). */
export type Decision = { status: "confirmed"; reference: string } | { status: "refused" | "abandoned"; reason: string };

interface Row {
  reservation_id: string;
  seller_id: string;
  status: BookingStatus;
  reference: string | null;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  outcome: SagaOutcome | null;
  cancel_result: CancelOutcome | null;
}

const INBOX = "inbox";

export class SellerBookingStore {
  constructor(private readonly knex: Knex) {}

  async get(reservationId: string): Promise<SellerBooking | undefined> {
    const row = (await this.knex("seller_bookings").where({ reservation_id: reservationId }).first()) as Row | undefined;
    return row && toBooking(row);
  }

  /** True when this group has handled this message already. */
  isProcessed(meta: Pick<DeliveryMeta, "group" | "messageId">): Promise<boolean> {
    return alreadyProcessed(this.knex, INBOX, meta.group, meta.messageId);
  }

  /**
   * Counts a call to the seller about to be made (recorded first, so that a
   * call a crash interrupts is counted too). Answers the booking: still
   * pending, or already decided (then no call is to be made).
   */
  async startAttempt(reservationId: string, sellerId: string): Promise<SellerBooking> {
    const { rows } = (await this.knex.raw(
      `insert into seller_bookings (reservation_id, seller_id, attempts) values (?, ?, 1)
       on conflict (reservation_id) do update
         set attempts = seller_bookings.attempts + 1, update_time = now()
         where seller_bookings.status = 'pending'
       returning *`,
      [reservationId, sellerId],
    )) as { rows: Row[] };
    return rows[0] ? toBooking(rows[0]) : (await this.get(reservationId))!;
  }

  /** The seller failed; the message will be retried. */
  async recordFailure(reservationId: string, error: string): Promise<void> {
    await this.knex("seller_bookings")
      .where({ reservation_id: reservationId })
      .update({ last_error: error.slice(0, 2000), update_time: this.knex.fn.now() });
  }

  /**
   * Records the decision if the booking is still pending; answers the
   * booking as it is after (the first decision wins).
   */
  async decide(reservationId: string, d: Decision): Promise<SellerBooking> {
    const { rows } = (await this.knex.raw(
      `update seller_bookings set status = ?, reference = ?, reason = ?, update_time = now()
       where reservation_id = ? and status = 'pending'
       returning *`,
      [d.status, d.status === "confirmed" ? d.reference : null, d.status === "confirmed" ? null : d.reason.slice(0, 2000), reservationId],
    )) as { rows: Row[] };
    return rows[0] ? toBooking(rows[0]) : (await this.get(reservationId))!;
  }

  /**
   * The saga is done for this reservation: records the outcome (the first
   * one stays) and marks the message handled, in one transaction.
   */
  async finish(meta: Pick<DeliveryMeta, "group" | "messageId">, reservationId: string, outcome: SagaOutcome): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await markProcessed(trx, INBOX, meta.group, meta.messageId);
      await trx.raw(
        `update seller_bookings set outcome = ?, finish_time = now(), update_time = now()
         where reservation_id = ? and outcome is null`,
        [outcome, reservationId],
      );
    });
  }

  /**
   * The booking was cancelled with the seller (or the seller held none):
   * records the seller's answer (the first one stays).
   */
  async recordCancel(reservationId: string, result: CancelOutcome): Promise<void> {
    await this.knex.raw(
      `update seller_bookings set cancel_result = ?, cancel_time = now(), update_time = now()
       where reservation_id = ? and cancel_result is null`,
      [result, reservationId],
    );
  }

  /** Marks a message handled that needed nothing more (a cancellation already made). */
  async markHandled(meta: Pick<DeliveryMeta, "group" | "messageId">): Promise<void> {
    await this.knex.transaction((trx) => markProcessed(trx, INBOX, meta.group, meta.messageId));
  }
}

function toBooking(r: Row): SellerBooking {
  return {
    reservationId: r.reservation_id,
    sellerId: r.seller_id,
    status: r.status,
    reference: r.reference,
    reason: r.reason,
    attempts: r.attempts,
    lastError: r.last_error,
    outcome: r.outcome,
    cancelResult: r.cancel_result,
  };
}
