// The inbox of an idempotent consumer: the ids of the messages it has handled,
// in a table of ITS OWN schema — so a redelivered message changes nothing.
//
// In the consumer's migration:   await createInboxTable(knex, "inbox");
// In its handler, one of:
//   await inTransactionOnce(db.knex, "inbox", meta, async (trx) => { …effect with trx… });
//     the effect is local rows: recorded in the same transaction as the effect.
//   await recordAfter(db.knex, "inbox", meta, async () => { …idempotent remote calls… });
//     the effect is remote calls: no transaction (no pooled connection, no lock)
//     is held while they wait; the message is recorded after they succeed.
import type { Knex } from "knex";

/** Which message, for which consumer group: the part of a delivery an inbox records. */
export interface InboxEntry {
  readonly group: string;
  readonly messageId: bigint;
}

/** Creates the inbox table (in the search path's first schema unless `table` is qualified). */
export async function createInboxTable(knex: Knex, table: string): Promise<void> {
  await knex.raw(
    `create table ?? (
       group_name   text        not null,
       message_id   bigint      not null,
       processed_at timestamptz not null default now(),
       primary key (group_name, message_id)
     )`,
    [table],
  );
}

/**
 * Records the message as processed; false if it already was. Inside the
 * transaction that applies the message's effect, a concurrent duplicate waits
 * on the primary key until this transaction ends, then sees it processed;
 * outside one, it is a single short statement.
 */
export async function markProcessed(trx: Knex | Knex.Transaction, table: string, group: string, messageId: bigint): Promise<boolean> {
  const r = await trx.raw<{ rows: unknown[] }>(
    `insert into ?? (group_name, message_id) values (?, ?) on conflict do nothing returning 1`,
    [table, group, messageId.toString()],
  );
  return r.rows.length > 0;
}

export async function alreadyProcessed(trx: Knex | Knex.Transaction, table: string, group: string, messageId: bigint): Promise<boolean> {
  const r = await trx.raw<{ rows: unknown[] }>(
    `select 1 from ?? where group_name = ? and message_id = ?`,
    [table, group, messageId.toString()],
  );
  return r.rows.length > 0;
}

/**
 * Runs `work` in a transaction that also records the message in the inbox,
 * unless it was processed already. Resolves to true when `work` ran.
 */
export async function inTransactionOnce(
  knex: Knex,
  table: string,
  meta: InboxEntry,
  work: (trx: Knex.Transaction) => Promise<void>,
): Promise<boolean> {
  return knex.transaction(async (trx) => {
    if (!(await markProcessed(trx, table, meta.group, meta.messageId))) return false;
    await work(trx);
    return true;
  });
}

/**
 * Runs `work` unless the message is recorded as handled, then records it in
 * one short statement (insert … on conflict do nothing) — with no transaction
 * open while `work` runs, so remote calls that take their whole deadline hold
 * neither a pooled connection nor a lock. Resolves to true when `work` ran.
 *
 * `work` MUST be idempotent (e.g. every call under an idempotency key): a throw
 * records nothing and the redelivery runs it again; a crash between `work`
 * and the record, or two deliveries at once, run it twice (one record).
 */
export async function recordAfter(knex: Knex, table: string, meta: InboxEntry, work: () => Promise<void>): Promise<boolean> {
  if (await alreadyProcessed(knex, table, meta.group, meta.messageId)) return false;
  await work();
  await markProcessed(knex, table, meta.group, meta.messageId);
  return true;
}
