// Booking's repository: every SQL statement of booking lives here. Changes
// run as units of work (`transaction`): the service locks what it changes,
// writes, and publishes its events into the transaction's outbox (tx.outbox), so a
// state change and its event commit or roll back together.
import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import { ItemSchema, type Item } from "../../gen/itinera/type/v1/item_pb.js";
import type { DeliveryMeta, Outbox, OutboxOf } from "../../endpoints/bus.js";
import * as inbox from "../../platform/inbox.js";

export type ReservationState = "paid" | "confirmed" | "fulfilled" | "cancelled" | "failed";
export type FailureSource = "wallet" | "seller";
export type CancelledFrom = "paid" | "confirmed";

export interface ReservationRow {
  reservationId: string;
  /** Insertion order: the keyset cursor of ListReservations. */
  seq: bigint;
  paymentId: string;
  customerId: string;
  state: ReservationState;
  item: Item;
  currency: string;
  amountMinor: bigint;
  markdownMinor: bigint;
  holdId: string | null;
  sellerReference: string;
  failureReason: string;
  failureSource: FailureSource | null;
  cancelledFrom: CancelledFrom | null;
  cancellationFeeMinor: bigint;
  refundedMinor: bigint;
  walletRefundMinor: bigint;
  createTime: Date;
  updateTime: Date;
}

export interface NewReservation {
  reservationId: string;
  paymentId: string;
  customerId: string;
  state: "paid" | "failed";
  item: Item;
  currency: string;
  amountMinor: bigint;
  markdownMinor: bigint;
  holdId: string | null;
  failureReason?: string;
  failureSource?: FailureSource;
  refundedMinor?: bigint;
  /** When its stay or flight has ended (ends.ts); null when unknown. */
  endsTime: Date | null;
  time: Date;
}

/** What a state change sets; update_time always. */
export interface ReservationChange {
  state: ReservationState;
  sellerReference?: string;
  failureReason?: string;
  failureSource?: FailureSource;
  cancelledFrom?: CancelledFrom;
  cancellationFeeMinor?: bigint;
  refundedMinor?: bigint;
  walletRefundMinor?: bigint;
  time: Date;
}

/** The reservations created in one time bucket, by the state each is in now. */
export interface StateBucket {
  start: Date;
  paid: number;
  confirmed: number;
  fulfilled: number;
  cancelled: number;
  failed: number;
}

/** One room of one seller, whose nights are counted down. */
export interface RoomKey {
  sellerId: string;
  hotelId: string;
  roomId: string;
}

export class BookingStore {
  /** `outboxOf`: the bus engine's outbox inside one of this store's transactions (main.ts gets it from transport/bus/open.ts). */
  constructor(
    private readonly knex: Knex,
    private readonly outboxOf: OutboxOf<Knex.Transaction>,
  ) {}

  async byId(reservationId: string): Promise<ReservationRow | undefined> {
    const row = await this.knex("reservations").where({ reservation_id: reservationId }).first();
    return row ? toReservation(row) : undefined;
  }

  async byPaymentId(paymentId: string): Promise<ReservationRow | undefined> {
    const row = await this.knex("reservations").where({ payment_id: paymentId }).first();
    return row ? toReservation(row) : undefined;
  }

  /** A customer's reservations, newest first, strictly older than `beforeSeq` when given. */
  async list(q: { customerId: string; limit: number; beforeSeq?: bigint }): Promise<ReservationRow[]> {
    const query = this.knex("reservations").where({ customer_id: q.customerId }).orderBy("seq", "desc").limit(q.limit);
    if (q.beforeSeq !== undefined) query.andWhere("seq", "<", q.beforeSeq.toString());
    return (await query).map(toReservation);
  }

  /**
   * The reservations created in each bucket of [from, to) (bucketMinutes
   * wide, from `from`), by the state each is in now; every bucket, oldest
   * first, empty ones with zeros.
   */
  async countByState(q: { from: Date; to: Date; bucketMinutes: number }): Promise<StateBucket[]> {
    const { rows } = await this.knex.raw<{ rows: Row[] }>(
      `select b.start,
              count(r.state) filter (where r.state = 'paid')::int      as paid,
              count(r.state) filter (where r.state = 'confirmed')::int as confirmed,
              count(r.state) filter (where r.state = 'fulfilled')::int as fulfilled,
              count(r.state) filter (where r.state = 'cancelled')::int as cancelled,
              count(r.state) filter (where r.state = 'failed')::int    as failed
         from generate_series(?::timestamptz, ?::timestamptz - make_interval(mins => ?), make_interval(mins => ?)) as b(start)
         left join reservations r
           on r.create_time >= b.start and r.create_time < b.start + make_interval(mins => ?)
        group by b.start
        order by b.start`,
      [q.from, q.to, q.bucketMinutes, q.bucketMinutes, q.bucketMinutes],
    );
    return rows.map((r) => ({
      start: r.start as Date,
      paid: r.paid as number,
      confirmed: r.confirmed as number,
      fulfilled: r.fulfilled as number,
      cancelled: r.cancelled as number,
      failed: r.failed as number,
    }));
  }

  /** Runs `work` in one transaction; if it throws, nothing it wrote (or published) is kept. */
  transaction<T>(work: (tx: BookingTransaction) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(new BookingTransaction(trx, this.outboxOf(trx))));
  }

  /**
   * Runs `work` (idempotent remote calls) unless the message was handled
   * already, then records it in the inbox — with no transaction open while
   * `work` waits: if `work` throws, the message stays unrecorded and its
   * redelivery runs `work` again (see platform/inbox.ts's recordAfter).
   */
  recordAfter(meta: Pick<DeliveryMeta, "group" | "messageId">, work: () => Promise<void>): Promise<boolean> {
    return inbox.recordAfter(this.knex, "inbox", meta, work);
  }
}

/** The statements a unit of work may run, inside its transaction. */
export class BookingTransaction {
  /** The events published here commit or roll back with the change they report. */
  constructor(
    private readonly trx: Knex.Transaction,
    readonly outbox: Outbox,
  ) {}

  /**
   * Serialises the creations of one payment's reservation: a concurrent call
   * with the same payment id waits here until this transaction ends, then
   * finds the reservation.
   */
  async lockPayment(paymentId: string): Promise<void> {
    await this.trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`booking:payment:${paymentId}`]);
  }

  async byPaymentId(paymentId: string): Promise<ReservationRow | undefined> {
    const row = await this.trx("reservations").where({ payment_id: paymentId }).first();
    return row ? toReservation(row) : undefined;
  }

  /** The reservation, locked until the transaction ends; undefined if there is none with that id. */
  async lock(reservationId: string): Promise<ReservationRow | undefined> {
    const row = await this.trx("reservations").where({ reservation_id: reservationId }).forUpdate().first();
    return row ? toReservation(row) : undefined;
  }

  async insert(r: NewReservation): Promise<ReservationRow> {
    const [row] = await this.trx("reservations")
      .insert({
        reservation_id: r.reservationId,
        payment_id: r.paymentId,
        customer_id: r.customerId,
        state: r.state,
        item: JSON.stringify(toJson(ItemSchema, r.item)),
        currency: r.currency,
        amount_minor: r.amountMinor,
        markdown_minor: r.markdownMinor,
        hold_id: r.holdId,
        failure_reason: r.failureReason ?? "",
        failure_source: r.failureSource ?? null,
        refunded_minor: r.refundedMinor ?? 0n,
        ends_time: r.endsTime,
        create_time: r.time,
        update_time: r.time,
      })
      .returning("*");
    return toReservation(row);
  }

  async update(reservationId: string, c: ReservationChange): Promise<ReservationRow> {
    const set: Record<string, unknown> = { state: c.state, update_time: c.time };
    if (c.sellerReference !== undefined) set.seller_reference = c.sellerReference;
    if (c.failureReason !== undefined) set.failure_reason = c.failureReason;
    if (c.failureSource !== undefined) set.failure_source = c.failureSource;
    if (c.cancelledFrom !== undefined) set.cancelled_from = c.cancelledFrom;
    if (c.cancellationFeeMinor !== undefined) set.cancellation_fee_minor = c.cancellationFeeMinor;
    if (c.refundedMinor !== undefined) set.refunded_minor = c.refundedMinor;
    if (c.walletRefundMinor !== undefined) set.wallet_refund_minor = c.walletRefundMinor;
    const [row] = await this.trx("reservations").where({ reservation_id: reservationId }).update(set).returning("*");
    if (!row) throw new Error(`reservation ${reservationId} vanished while locked`);
    return toReservation(row);
  }

  /**
   * Takes one booking from each night ("YYYY-MM-DD") of a room: a night first
   * booked starts at `threshold`, and keeps counting below zero past it.
   * Resolves to the nights this call brought to zero (so exactly one booking
   * ever reports a night sold out until it comes back). Rows are locked in
   * night order, so two overlapping stays never deadlock.
   */
  async takeNights(room: RoomKey, nights: readonly string[], threshold: number): Promise<string[]> {
    if (nights.length === 0) return [];
    const key = [room.sellerId, room.hotelId, room.roomId];
    await this.trx.raw(
      `insert into availability (seller_id, hotel_id, room_id, night, remaining)
       select ?, ?, ?, night, ? from unnest(?::date[]) as night
       on conflict do nothing`,
      [...key, threshold, [...nights]],
    );
    return this.countNights(room, nights, -1, 0);
  }

  /**
   * Gives back the booking a cancelled or failed reservation took from each
   * of its nights (the caller does it once, in the transaction of that state
   * change). Resolves to the nights that take bookings again: back from zero.
   */
  giveNights(room: RoomKey, nights: readonly string[]): Promise<string[]> {
    if (nights.length === 0) return Promise.resolve([]);
    return this.countNights(room, nights, 1, 1);
  }

  /** Adds `delta` to the nights' counts (locked in night order); the nights that reach `reached`. */
  private async countNights(room: RoomKey, nights: readonly string[], delta: 1 | -1, reached: number): Promise<string[]> {
    const key = [room.sellerId, room.hotelId, room.roomId];
    await this.trx.raw(
      `select 1 from availability where seller_id = ? and hotel_id = ? and room_id = ? and night = any(?::date[])
        order by night for update`,
      [...key, [...nights]],
    );
    const counted = await this.trx.raw<{ rows: { night: string; remaining: number }[] }>(
      `update availability set remaining = remaining + ?
        where seller_id = ? and hotel_id = ? and room_id = ? and night = any(?::date[])
        returning to_char(night, 'YYYY-MM-DD') as night, remaining`,
      [delta, ...key, [...nights]],
    );
    return counted.rows.filter((r) => r.remaining === reached).map((r) => r.night).sort();
  }

  /**
   * Makes FULFILLED up to `limit` CONFIRMED reservations whose stay or flight
   * ended by `before` (oldest end first), in one conditional update: a row
   * another transaction holds is skipped, one no longer CONFIRMED is left
   * alone. Resolves to the reservations it changed.
   */
  async fulfilEnded(before: Date, limit: number, time: Date): Promise<ReservationRow[]> {
    const { rows } = (await this.trx.raw(
      `with due as (
         select reservation_id from reservations
          where state = 'confirmed' and ends_time <= ?
          order by ends_time limit ? for update skip locked
       )
       update reservations r set state = 'fulfilled', update_time = ?
         from due where r.reservation_id = due.reservation_id and r.state = 'confirmed'
       returning r.*`,
      [before, limit, time],
    )) as { rows: Row[] };
    return rows.map(toReservation);
  }
}

// Rows as pg returns them: timestamptz as Date, int8 as bigint with
// platform/db.ts's type parsers (or as a string without them), jsonb parsed.
type Row = Record<string, unknown>;

function int8(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "string") return BigInt(v);
  throw new Error(`expected an int8 column, got ${typeof v}`);
}

function toReservation(r: Row): ReservationRow {
  return {
    reservationId: r.reservation_id as string,
    seq: int8(r.seq),
    paymentId: r.payment_id as string,
    customerId: r.customer_id as string,
    state: r.state as ReservationState,
    item: fromJson(ItemSchema, r.item as JsonValue),
    currency: r.currency as string,
    amountMinor: int8(r.amount_minor),
    markdownMinor: int8(r.markdown_minor),
    holdId: (r.hold_id as string | null) ?? null,
    sellerReference: r.seller_reference as string,
    failureReason: r.failure_reason as string,
    failureSource: (r.failure_source as FailureSource | null) ?? null,
    cancelledFrom: (r.cancelled_from as CancelledFrom | null) ?? null,
    cancellationFeeMinor: int8(r.cancellation_fee_minor),
    refundedMinor: int8(r.refunded_minor),
    walletRefundMinor: int8(r.wallet_refund_minor),
    createTime: r.create_time as Date,
    updateTime: r.update_time as Date,
  };
}
