// The PostgreSQL engine's dead letters, for operators (endpoints/bus.ts
// DeadLetters): the rows of bus.dead_letters with their message's type and
// publication time.
//
// Replay puts the message back in bus.deliveries for that group only, with
// its own message id and no attempts, and deletes the dead letter — in one
// transaction, which wakes the group's consumers on commit. Order: a replayed
// message takes back its ORIGINAL place in its key's order (deliveries of one
// key are handled in message-id order, consumer.ts): the key's later messages
// still pending for the group wait until it is handled (or dead again), as
// they would have for the original. A message of the key that a consumer has
// in hand when the replay starts is finished first: the claim (consumer.ts)
// passes over a key while another of its messages is leased to a live holder. Messages of the key handled since the failure are not undone.
//
// Discard deletes the dead letter only: the message row stays, as every
// handled message's does (bus.messages is the log; other groups may still
// have it pending). Nothing here prunes the log.
import type { Knex } from "knex";
import type { DeadLetter, DeadLetters } from "../../endpoints/bus.js";
import { checkedFilter, checkRef } from "../../endpoints/dead-letters.js";
import { channelOf } from "./notifications.js";

interface DeadLetterRow {
  group_name: string;
  topic: string;
  key: string;
  message_id: bigint | string;
  type: string;
  attempts: number;
  last_error: string;
  published_at: Date;
  failed_at: Date;
}

/** The dead letters of the bus whose tables `knex` reaches (schema-qualified: any knex on that database). */
export function postgresDeadLetters(knex: Knex): DeadLetters {
  return {
    async list(filter) {
      const f = checkedFilter(filter);
      const r = await knex.raw<{ rows: DeadLetterRow[] }>(
        `select d.group_name, d.topic, d.key, d.message_id, m.type, d.attempts, d.last_error,
                m.created_at as published_at, d.failed_at
           from bus.dead_letters d join bus.messages m on m.id = d.message_id
          where (?::text is null or d.group_name = ?) and (?::text is null or d.topic = ?)
          order by d.failed_at, d.group_name, d.message_id
          limit ?`,
        [f.group ?? null, f.group ?? null, f.topic ?? null, f.topic ?? null, f.limit],
      );
      return r.rows.map(deadLetterOf);
    },

    async replay(group, messageId) {
      checkRef(group, messageId);
      return knex.transaction(async (trx) => {
        // Locked: a concurrent replay or discard of the same waits, then finds it gone.
        const dead = await trx.raw<{ rows: { topic: string; key: string }[] }>(
          `select topic, key from bus.dead_letters where group_name = ? and message_id = ? for update`,
          [group, messageId.toString()],
        );
        const letter = dead.rows[0];
        if (!letter) return false;
        // The key's pending deliveries are locked until commit, so none is claimed before the replayed message exists.
        await trx.raw(`select 1 from bus.deliveries where group_name = ? and topic = ? and key = ? for update`, [group, letter.topic, letter.key]);
        await trx.raw(
          `insert into bus.deliveries (group_name, message_id, topic, key) values (?, ?, ?, ?) on conflict do nothing`,
          [group, messageId.toString(), letter.topic, letter.key],
        );
        await trx.raw(`delete from bus.dead_letters where group_name = ? and message_id = ?`, [group, messageId.toString()]);
        // Sent on commit: the group's idle consumers look at once instead of at their next poll.
        await trx.raw(`select pg_notify(?, '')`, [channelOf(letter.topic)]);
        return true;
      });
    },

    async discard(group, messageId) {
      checkRef(group, messageId);
      const r = await knex.raw<{ rows: unknown[] }>(
        `delete from bus.dead_letters where group_name = ? and message_id = ? returning 1`,
        [group, messageId.toString()],
      );
      return r.rows.length > 0;
    },
  };
}

function deadLetterOf(row: DeadLetterRow): DeadLetter {
  return {
    group: row.group_name,
    topic: row.topic,
    key: row.key,
    messageId: BigInt(row.message_id),
    type: row.type,
    attempts: row.attempts,
    lastError: row.last_error,
    publishedAt: row.published_at,
    failedAt: row.failed_at,
  };
}
