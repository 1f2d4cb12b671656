// The payment service's repository: every SQL statement of payment lives here.
// A command (MakePayment, Refund) runs in two units of work around the
// gateway call, which no database transaction should wait on: `begin`
// records the key (and whatever the command starts) and `finish` stores the
// response once the gateway answered. A key whose command never finished is
// resumed by its retry — the gateway is idempotent too (merchant_ref,
// idempotency_key), so a resumed call gets the same session or refund.
import type { Knex } from "knex";
import type { DeliveryMeta, Outbox, OutboxOf } from "../../endpoints/bus.js";
import { alreadyProcessed, markProcessed } from "../../platform/inbox.js";

export type PaymentStatus = "pending" | "authorised" | "declined" | "expired";

export interface PaymentRow {
  paymentId: string;
  customerId: string;
  /** itinera.type.v1.Item, protobuf binary. */
  item: Uint8Array;
  currency: string;
  amountMinor: bigint;
  markdownMinor: bigint;
  refundedMinor: bigint;
  state: PaymentStatus;
  sessionId: string | null;
  redirectUrl: string | null;
  returnUrl: string;
  declineReason: string;
  reservationId: string | null;
  createTime: Date;
  updateTime: Date;
  /** When it became AUTHORISED; null in any other state. */
  authoriseTime: Date | null;
  /** The W3C traceparent of the MakePayment that made it (null: none): the gateway's decision continues that trace. */
  traceparent: string | null;
}

export type NewPayment = Omit<
  PaymentRow,
  "refundedMinor" | "state" | "sessionId" | "redirectUrl" | "declineReason" | "reservationId" | "updateTime" | "authoriseTime"
>;

/** Identifies a command for idempotency. */
export interface CommandKey {
  /** Whose key space: "customer:<id>" for MakePayment, "refund" for Refund. */
  scope: string;
  idempotencyKey: string;
  /** The RPC's name: a key used for one method cannot be reused for another. */
  method: string;
  /** A digest of the whole request. */
  requestHash: Uint8Array;
}

export type BeginOutcome =
  /** New, or begun before and not finished: carry on with this payment. */
  | { status: "started"; paymentId: string }
  /** The same request finished before: its stored response. */
  | { status: "replayed"; response: Uint8Array }
  /** The key was used before for a different request (of `method`). */
  | { status: "conflict"; method: string };

export interface NewRefund {
  idempotencyKey: string;
  paymentId: string;
  refundId: string;
  amountMinor: bigint;
  reason: string;
  createTime: Date;
}

export class PaymentStore {
  /** `outboxOf`: the bus engine's outbox inside one of this store's transactions (main.ts gets it from transport/bus/open.ts). */
  constructor(
    readonly knex: Knex,
    private readonly outboxOf: OutboxOf<Knex.Transaction>,
  ) {}

  private unitOfWork(trx: Knex.Transaction): PaymentTransaction {
    return new PaymentTransaction(trx, this.outboxOf(trx));
  }

  /**
   * Records a command's key with the payment `start` returns (it may insert
   * one), in one transaction; a concurrent call with the same key waits for
   * it (advisory lock). If `start` throws, nothing is written.
   */
  async begin(key: CommandKey, start: (tx: PaymentTransaction) => Promise<string>): Promise<BeginOutcome> {
    return this.knex.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [JSON.stringify([key.scope, key.idempotencyKey])]);
      const prior = (await trx("commands")
        .where({ scope: key.scope, idempotency_key: key.idempotencyKey })
        .first("method", "request_hash", "payment_id", "response")) as
        | { method: string; request_hash: Buffer; payment_id: string; response: Buffer | null }
        | undefined;
      if (prior) {
        const same = prior.method === key.method && Buffer.from(key.requestHash).equals(prior.request_hash);
        if (!same) return { status: "conflict", method: prior.method };
        return prior.response ? { status: "replayed", response: prior.response } : { status: "started", paymentId: prior.payment_id };
      }
      const paymentId = await start(this.unitOfWork(trx));
      await trx("commands").insert({
        scope: key.scope,
        idempotency_key: key.idempotencyKey,
        method: key.method,
        request_hash: Buffer.from(key.requestHash),
        payment_id: paymentId,
      });
      return { status: "started", paymentId };
    });
  }

  /**
   * Stores the response of a begun command, computed by `work` in the same
   * transaction; when a concurrent call stored one first, answers that one
   * (and `work` does not run).
   */
  async finish(key: CommandKey, work: (tx: PaymentTransaction) => Promise<Uint8Array>): Promise<Uint8Array> {
    return this.knex.transaction(async (trx) => {
      const where = { scope: key.scope, idempotency_key: key.idempotencyKey };
      const row = (await trx("commands").where(where).forUpdate().first("response")) as { response: Buffer | null } | undefined;
      if (!row) throw new Error(`command ${key.method} ${key.idempotencyKey} was never begun`);
      if (row.response) return row.response;
      const response = await work(this.unitOfWork(trx));
      await trx("commands").where(where).update({ response: Buffer.from(response) });
      return response;
    });
  }

  /** Runs `work` in one transaction (a callback's state change with its event). */
  async transaction<T>(work: (tx: PaymentTransaction) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(this.unitOfWork(trx)));
  }

  async payment(paymentId: string): Promise<PaymentRow | undefined> {
    const row = await this.knex("payments").where({ payment_id: paymentId }).first();
    return row ? toPayment(row) : undefined;
  }

  /**
   * A customer's payments, newest first (create time, then id), in `states`
   * when given, after the payment `after` (the last one of the previous
   * page, which must be theirs: see listing.ts).
   */
  async customerPayments(q: { customerId: string; states: readonly PaymentStatus[]; after?: string; limit: number }): Promise<PaymentRow[]> {
    const query = this.knex("payments")
      .where({ customer_id: q.customerId })
      .orderBy([
        { column: "create_time", order: "desc" },
        { column: "payment_id", order: "desc" },
      ])
      .limit(q.limit);
    if (q.states.length > 0) query.whereIn("state", q.states);
    if (q.after !== undefined) {
      query.andWhereRaw("(create_time, payment_id) < (select create_time, payment_id from payments where payment_id = ?)", [q.after]);
    }
    return (await query).map(toPayment);
  }

  /** Payments still PENDING that were created before `before`, oldest first. */
  async stalePending(before: Date, limit: number): Promise<PaymentRow[]> {
    const rows = await this.knex("payments")
      .where({ state: "pending" })
      .andWhere("create_time", "<", before)
      .orderBy("create_time")
      .limit(limit);
    return rows.map(toPayment);
  }

  /**
   * PENDING payments created before `before`, oldest first (then by id),
   * after the payment `after` when given (the last of the previous page).
   */
  async pendingSince(q: { before: Date; after?: string; limit: number }): Promise<PaymentRow[]> {
    const query = this.knex("payments")
      .where({ state: "pending" })
      .andWhere("create_time", "<", q.before)
      .orderBy([
        { column: "create_time", order: "asc" },
        { column: "payment_id", order: "asc" },
      ])
      .limit(q.limit);
    if (q.after !== undefined) {
      query.andWhereRaw("(create_time, payment_id) > (select create_time, payment_id from payments where payment_id = ?)", [q.after]);
    }
    return (await query).map(toPayment);
  }

  /** True when the reservation consumer has handled this message already. */
  handled(meta: Pick<DeliveryMeta, "group" | "messageId">): Promise<boolean> {
    return alreadyProcessed(this.knex, "inbox", meta.group, meta.messageId);
  }

  /**
   * Records the reservation made from a payment, and the message that made
   * it as handled, in one transaction. False when the message was handled already.
   */
  async recordReservation(meta: Pick<DeliveryMeta, "group" | "messageId">, paymentId: string, reservationId: string): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      if (!(await markProcessed(trx, "inbox", meta.group, meta.messageId))) return false;
      await trx("payments").where({ payment_id: paymentId }).update({ reservation_id: reservationId });
      return true;
    });
  }
}

/** The statements a unit of work may run, inside its transaction. */
export class PaymentTransaction {
  /** For the bus: an event is published in the same transaction as the change it announces. */
  constructor(
    private readonly trx: Knex.Transaction,
    readonly outbox: Outbox,
  ) {}

  async insertPayment(p: NewPayment): Promise<PaymentRow> {
    const [row] = await this.trx("payments")
      .insert({
        payment_id: p.paymentId,
        customer_id: p.customerId,
        item: Buffer.from(p.item),
        currency: p.currency,
        amount_minor: p.amountMinor,
        markdown_minor: p.markdownMinor,
        state: "pending",
        return_url: p.returnUrl,
        traceparent: p.traceparent,
        create_time: p.createTime,
        update_time: p.createTime,
      })
      .returning("*");
    return toPayment(row);
  }

  /** The payment, locked until the unit of work ends; undefined if there is none. */
  async lockPayment(paymentId: string): Promise<PaymentRow | undefined> {
    const row = await this.trx("payments").where({ payment_id: paymentId }).forUpdate().first();
    return row ? toPayment(row) : undefined;
  }

  async setSession(paymentId: string, sessionId: string, redirectUrl: string, time: Date): Promise<PaymentRow> {
    return this.update(paymentId, { session_id: sessionId, redirect_url: redirectUrl, update_time: time });
  }

  /** Moves a payment to its final state (the callers check the transition). */
  async setState(
    paymentId: string,
    change: { state: PaymentStatus; declineReason?: string; sessionId?: string },
    time: Date,
  ): Promise<PaymentRow> {
    return this.update(paymentId, {
      state: change.state,
      decline_reason: change.declineReason ?? "",
      authorise_time: change.state === "authorised" ? time : null,
      ...(change.sessionId ? { session_id: change.sessionId } : {}),
      update_time: time,
    });
  }

  /** Records a gateway event; false if it was recorded before. */
  async recordGatewayEvent(eventId: string, paymentId: string, status: "authorised" | "declined"): Promise<boolean> {
    const r = await this.trx.raw<{ rows: unknown[] }>(
      `insert into gateway_events (event_id, payment_id, status) values (?, ?, ?) on conflict do nothing returning 1`,
      [eventId, paymentId, status],
    );
    return r.rows.length > 0;
  }

  /** Records a refund once per key and adds it to the payment's refunded total. */
  async recordRefund(r: NewRefund): Promise<PaymentRow> {
    const inserted = await this.trx.raw<{ rows: unknown[] }>(
      `insert into refunds (idempotency_key, payment_id, refund_id, amount_minor, reason, create_time)
       values (?, ?, ?, ?, ?, ?) on conflict do nothing returning 1`,
      [r.idempotencyKey, r.paymentId, r.refundId, r.amountMinor.toString(), r.reason, r.createTime],
    );
    if (inserted.rows.length === 0) {
      const row = await this.trx("payments").where({ payment_id: r.paymentId }).first();
      return toPayment(row);
    }
    const [row] = await this.trx("payments")
      .where({ payment_id: r.paymentId })
      .update({ refunded_minor: this.trx.raw("refunded_minor + ?", [r.amountMinor.toString()]), update_time: r.createTime })
      .returning("*");
    return toPayment(row);
  }

  private async update(paymentId: string, values: Record<string, unknown>): Promise<PaymentRow> {
    const [row] = await this.trx("payments").where({ payment_id: paymentId }).update(values).returning("*");
    if (!row) throw new Error(`payment ${paymentId} vanished while updating it`);
    return toPayment(row);
  }
}

// Rows as pg returns them: timestamptz as Date, bytea as Buffer, int8 as
// bigint with platform/db.ts's type parsers (or as a string without them).
type Row = Record<string, unknown>;

function int8(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "string") return BigInt(v);
  throw new Error(`expected an int8 column, got ${typeof v}`);
}

function toPayment(r: Row): PaymentRow {
  return {
    paymentId: r.payment_id as string,
    customerId: r.customer_id as string,
    item: new Uint8Array(r.item as Buffer),
    currency: r.currency as string,
    amountMinor: int8(r.amount_minor),
    markdownMinor: int8(r.markdown_minor),
    refundedMinor: int8(r.refunded_minor),
    state: r.state as PaymentStatus,
    sessionId: (r.session_id as string | null) ?? null,
    redirectUrl: (r.redirect_url as string | null) ?? null,
    returnUrl: r.return_url as string,
    declineReason: r.decline_reason as string,
    reservationId: (r.reservation_id as string | null) ?? null,
    createTime: r.create_time as Date,
    updateTime: r.update_time as Date,
    authoriseTime: (r.authorise_time as Date | null) ?? null,
    traceparent: (r.traceparent as string | null) ?? null,
  };
}
