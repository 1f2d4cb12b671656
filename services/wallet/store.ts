// The wallet's repository: every SQL statement of the wallet lives here.
// Commands run as units of work: `command` opens one transaction, serialises
// callers that share an idempotency key, answers a replay from the stored
// response, and otherwise hands a WalletTransaction to the caller's work,
// whose result it stores with the key before committing.
import type { Knex } from "knex";

export type HoldStatus = "held" | "captured" | "released";
export type TransactionType = "credit" | "hold" | "capture" | "release";
export type CreditCause = "cashback" | "refund" | "promotion";

export interface BalanceRow {
  customerId: string;
  currency: string;
  availableMinor: bigint;
  heldMinor: bigint;
}

export interface HoldRow {
  holdId: string;
  customerId: string;
  currency: string;
  amountMinor: bigint;
  state: HoldStatus;
  reference: string;
  createTime: Date;
  settleTime: Date | null;
}

export interface TransactionRow {
  transactionId: string;
  customerId: string;
  currency: string;
  kind: TransactionType;
  amountMinor: bigint;
  holdId: string | null;
  reference: string;
  reason: CreditCause | null;
  availableAfterMinor: bigint;
  createTime: Date;
  /** create_time in microseconds since the epoch, exact: with seq, the keyset cursor. */
  createMicros: bigint;
  /** Insertion order, to order transactions of the same instant. */
  seq: bigint;
}

export interface NewTransaction {
  customerId: string;
  currency: string;
  kind: TransactionType;
  amountMinor: bigint;
  holdId?: string;
  reference: string;
  reason?: CreditCause;
  availableAfterMinor: bigint;
  createTime: Date;
}

/** Identifies a command for idempotency. */
export interface CommandKey {
  idempotencyKey: string;
  /** The RPC's name: a key used for one method cannot be reused for another. */
  method: string;
  /** A digest of the whole request. */
  requestHash: Uint8Array;
}

export type CommandOutcome =
  /** The work ran now; its response was stored with the key. */
  | { status: "done"; response: Uint8Array }
  /** The same request came with this key before: its stored response. */
  | { status: "replayed"; response: Uint8Array }
  /** The key was used before for a different request (of `method`). */
  | { status: "conflict"; method: string };

/** Where the statement starts: strictly older than this transaction. */
export interface TransactionCursor {
  createMicros: bigint;
  seq: bigint;
}

export interface TransactionQuery {
  customerId: string;
  /** Undefined: every currency. */
  currency?: string;
  limit: number;
  after?: TransactionCursor;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class WalletStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Runs `work` once per idempotency key, in one transaction with the
   * command's record. A concurrent call with the same key waits for this one
   * (advisory lock on the key) and then finds its record.
   * If `work` throws, nothing is written and the error propagates.
   */
  async command(key: CommandKey, work: (tx: WalletTransaction) => Promise<Uint8Array>): Promise<CommandOutcome> {
    return this.knex.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [key.idempotencyKey]);
      const prior = (await trx("commands")
        .where({ idempotency_key: key.idempotencyKey })
        .first("method", "request_hash", "response")) as { method: string; request_hash: Buffer; response: Buffer } | undefined;
      if (prior) {
        const same = prior.method === key.method && Buffer.from(key.requestHash).equals(prior.request_hash);
        return same ? { status: "replayed", response: prior.response } : { status: "conflict", method: prior.method };
      }
      const response = await work(new WalletTransaction(trx));
      await trx("commands").insert({
        idempotency_key: key.idempotencyKey,
        method: key.method,
        request_hash: Buffer.from(key.requestHash),
        response: Buffer.from(response),
      });
      return { status: "done", response };
    });
  }

  /** A balance, or undefined if the customer never had one in that currency. */
  async balance(customerId: string, currency: string): Promise<BalanceRow | undefined> {
    const row = await this.knex("balances").where({ customer_id: customerId, currency }).first();
    return row ? toBalance(row) : undefined;
  }

  async hold(holdId: string): Promise<HoldRow | undefined> {
    if (!UUID.test(holdId)) return undefined;
    const row = await this.knex("holds").where({ hold_id: holdId }).first();
    return row ? toHold(row) : undefined;
  }

  /** A customer's transactions, newest first (create_time, then insertion order, descending). */
  async transactions(q: TransactionQuery): Promise<TransactionRow[]> {
    const query = this.knex("transactions")
      .select("*", this.knex.raw("(extract(epoch from create_time) * 1000000)::bigint as create_micros"))
      .where({ customer_id: q.customerId })
      .orderBy([
        { column: "create_time", order: "desc" },
        { column: "seq", order: "desc" },
      ])
      .limit(q.limit);
    if (q.currency !== undefined) query.andWhere({ currency: q.currency });
    if (q.after) {
      query.andWhereRaw("(create_time, seq) < (timestamptz 'epoch' + ? * interval '1 microsecond', ?)", [
        q.after.createMicros.toString(),
        q.after.seq.toString(),
      ]);
    }
    return (await query).map(toTransaction);
  }
}

/** The statements a command may run, inside its transaction. */
export class WalletTransaction {
  constructor(private readonly trx: Knex.Transaction) {}

  /** The balance row, created at zero if missing, locked until the command ends. */
  async lockBalance(customerId: string, currency: string): Promise<BalanceRow> {
    await this.trx("balances").insert({ customer_id: customerId, currency }).onConflict(["customer_id", "currency"]).ignore();
    const row = await this.trx("balances").where({ customer_id: customerId, currency }).forUpdate().first();
    return toBalance(row);
  }

  async updateBalance(b: BalanceRow): Promise<BalanceRow> {
    const [row] = await this.trx("balances")
      .where({ customer_id: b.customerId, currency: b.currency })
      .update({ available_minor: b.availableMinor, held_minor: b.heldMinor })
      .returning("*");
    return toBalance(row);
  }

  /** The hold, locked until the command ends; undefined if there is none with that id. */
  async lockHold(holdId: string): Promise<HoldRow | undefined> {
    if (!UUID.test(holdId)) return undefined;
    const row = await this.trx("holds").where({ hold_id: holdId }).forUpdate().first();
    return row ? toHold(row) : undefined;
  }

  async insertHold(h: { customerId: string; currency: string; amountMinor: bigint; reference: string; createTime: Date }): Promise<HoldRow> {
    const [row] = await this.trx("holds")
      .insert({
        customer_id: h.customerId,
        currency: h.currency,
        amount_minor: h.amountMinor,
        state: "held",
        reference: h.reference,
        create_time: h.createTime,
      })
      .returning("*");
    return toHold(row);
  }

  async settleHold(holdId: string, state: "captured" | "released", settleTime: Date): Promise<HoldRow> {
    const [row] = await this.trx("holds")
      .where({ hold_id: holdId, state: "held" })
      .update({ state, settle_time: settleTime })
      .returning("*");
    if (!row) throw new Error(`hold ${holdId} was not held when settling it`);
    return toHold(row);
  }

  async insertTransaction(t: NewTransaction): Promise<TransactionRow> {
    const [row] = await this.trx("transactions")
      .insert({
        customer_id: t.customerId,
        currency: t.currency,
        kind: t.kind,
        amount_minor: t.amountMinor,
        hold_id: t.holdId ?? null,
        reference: t.reference,
        reason: t.reason ?? null,
        available_after_minor: t.availableAfterMinor,
        create_time: t.createTime,
      })
      .returning(["*", this.trx.raw("(extract(epoch from create_time) * 1000000)::bigint as create_micros")]);
    return toTransaction(row);
  }
}

// Rows as pg returns them: timestamptz as Date, uuid as string, int8 as bigint
// with platform/db.ts's type parsers (or as a string without them: converted either way).
type Row = Record<string, unknown>;

function int8(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "string") return BigInt(v);
  throw new Error(`expected an int8 column, got ${typeof v}`);
}

function toBalance(r: Row): BalanceRow {
  return {
    customerId: r.customer_id as string,
    currency: r.currency as string,
    availableMinor: int8(r.available_minor),
    heldMinor: int8(r.held_minor),
  };
}

function toHold(r: Row): HoldRow {
  return {
    holdId: r.hold_id as string,
    customerId: r.customer_id as string,
    currency: r.currency as string,
    amountMinor: int8(r.amount_minor),
    state: r.state as HoldStatus,
    reference: r.reference as string,
    createTime: r.create_time as Date,
    settleTime: (r.settle_time as Date | null) ?? null,
  };
}

function toTransaction(r: Row): TransactionRow {
  return {
    transactionId: r.transaction_id as string,
    customerId: r.customer_id as string,
    currency: r.currency as string,
    kind: r.kind as TransactionType,
    amountMinor: int8(r.amount_minor),
    holdId: (r.hold_id as string | null) ?? null,
    reference: r.reference as string,
    reason: (r.reason as CreditCause | null) ?? null,
    availableAfterMinor: int8(r.available_after_minor),
    createTime: r.create_time as Date,
    createMicros: int8(r.create_micros),
    seq: int8(r.seq),
  };
}
