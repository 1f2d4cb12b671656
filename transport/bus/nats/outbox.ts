// The NATS bus's transactional outbox: a table in the publishing service's OWN
// schema, written in the same transaction as the change the event reports, so
// an event exists if and only if that transaction commits. The service's relay
// (./relay.ts) sends its rows to JetStream and deletes them once the server
// has stored them.
//
// In the service's migration:   await createOutboxTable(knex);            // table "outbox"
// In its store's unit of work:  bus.publish(natsOutbox(trx), topic, key, message, ctx)
import type { Knex } from "knex";
import type { Outbox, OutboxMessage } from "../../../endpoints/bus.js";

/** Creates the outbox table (in the search path's first schema unless `table` is qualified). */
export async function createOutboxTable(knex: Knex, table = "outbox"): Promise<void> {
  await knex.raw(
    `create table ?? (
       id         bigserial   primary key,
       -- the JetStream message id (with the schema): the server drops a second publish of it
       event_id   uuid        not null default gen_random_uuid(),
       topic      text        not null,
       key        text        not null,
       -- the protobuf message's full type name
       type       text        not null,
       -- its protobuf binary encoding
       payload    bytea       not null,
       -- request_id, traceparent
       headers    jsonb       not null default '{}',
       created_at timestamptz not null default now()
     )`,
    [table],
  );
}

/** An outbox writing into `db`'s transaction (or a transaction of its own on a plain knex). */
export function natsOutbox(db: Knex | Knex.Transaction, table = "outbox"): Outbox {
  return { add: (message) => append(db, table, message) };
}

async function append(db: Knex | Knex.Transaction, table: string, m: OutboxMessage): Promise<bigint> {
  const inserted = await db.raw<{ rows: { id: bigint | string; channel: string }[] }>(
    `insert into ?? (topic, key, type, payload, headers) values (?, ?, ?, ?, ?)
     returning id, ${channelSql("tableoid")} as channel`,
    [table, m.topic, m.key, m.type, Buffer.from(m.payload), JSON.stringify(m.headers)],
  );
  const row = inserted.rows[0]!;
  // Delivered when the transaction commits, dropped if it rolls back: wakes the relay.
  await db.raw(`select pg_notify(?, '')`, [row.channel]);
  return BigInt(row.id);
}

/** SQL for the NOTIFY channel of the outbox table whose oid `oidSql` gives: one per table and database. */
export function channelSql(oidSql: string): string {
  return `'outbox_' || ${oidSql}::oid::text`;
}
