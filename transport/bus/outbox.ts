// The PostgreSQL bus's outbox: what a store gives its unit of work so that the
// service publishes in the same transaction as the change it reports. The
// bus's tables are schema-qualified, so any knex on the bus's database will
// do: the store's transaction, or a plain knex (a transaction of its own).
import type { Knex } from "knex";
import type { Outbox, OutboxMessage } from "../../endpoints/bus.js";
import { channelOf } from "./notifications.js";

/** An outbox writing into `db`'s transaction (or a transaction of its own on a plain knex). */
export function postgresOutbox(db: Knex | Knex.Transaction): Outbox {
  return { add: (message) => append(db, message) };
}

async function append(db: Knex | Knex.Transaction, m: OutboxMessage): Promise<bigint> {
  // A savepoint inside the caller's transaction (or a transaction of its own on a plain knex).
  return db.transaction(async (t) => {
    // Shared with other publishers; a group subscribing for the first time takes it exclusively.
    await t.raw(`select pg_advisory_xact_lock_shared(hashtext(?))`, [topicLock(m.topic)]);
    const inserted = await t.raw<{ rows: { id: bigint | string }[] }>(
      `insert into bus.messages (topic, key, type, payload, headers) values (?, ?, ?, ?, ?) returning id`,
      [m.topic, m.key, m.type, Buffer.from(m.payload), JSON.stringify(m.headers)],
    );
    const id = String(inserted.rows[0]!.id);
    await t.raw(
      `insert into bus.deliveries (group_name, message_id, topic, key)
       select group_name, ?, ?, ? from bus.subscriptions where topic = ?`,
      [id, m.topic, m.key, m.topic],
    );
    // Sent when the outermost transaction commits; dropped if it rolls back.
    await t.raw(`select pg_notify(?, '')`, [channelOf(m.topic)]);
    return BigInt(id);
  });
}

/** The advisory lock that orders a topic's publishes with a group's first subscription. */
export function topicLock(topic: string): string {
  return `bus:${topic}`;
}
