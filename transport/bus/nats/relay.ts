// The outbox relay: the publishing process sends its outbox table's rows to
// JetStream, oldest first, and deletes each batch once the server has stored
// it (acknowledged the publish). Woken by the NOTIFY of each outbox insert,
// and by a poll in case a notification was missed.
//
// - One replica relays at a time: each pass takes a transaction-scoped
//   advisory lock on the table, and publishes its rows one by one, each
//   acknowledged before the next, so the rows of one schema reach the stream
//   in id order (what keeps order per key from the publisher on: two
//   transactions publishing for one key are ordered by the lock the service
//   takes on that key's row before inserting).
// - Exactly once into the stream: the JetStream message id is
//   "<schema>:<event_id>" (a uuid drawn per row, so a database rebuilt from
//   scratch reuses no id the stream still remembers). A relay that dies after
//   the server's ack but before its delete commits publishes the row again on
//   its next pass, and the server drops it as a duplicate (within the
//   stream's duplicate window, see ./streams.ts).
// - NATS (or the database) down: the rows stay, the relay retries with
//   backoff and logs once per outage, and again when it relays again.
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { setTimeout as sleep } from "node:timers/promises";
import { Notifications } from "../notifications.js";
import { Wakeup } from "../wakeup.js";
import { channelSql } from "./outbox.js";
import { eventSubject, H, partitionOf } from "./subjects.js";

export interface RelayOptions {
  /** The publishing service's database. */
  knex: Knex;
  /** Its outbox table (createOutboxTable). */
  table: string;
  js: JetStreamClient;
  log: Logger;
  partitions: number;
  /** How often to look for rows without a notification; default 1000 ms. */
  pollMs?: number;
  /** Rows per pass (one transaction); default 100. */
  batch?: number;
}

export interface Relay {
  /** Finishes the pass in progress, then stops. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: bigint | string;
  event_id: string;
  topic: string;
  key: string;
  type: string;
  payload: Buffer;
  headers: Partial<Record<string, string>> | null;
  created_at: Date;
}

const PUBLISH_TIMEOUT_MS = 5000;
/** The outbox's headers that travel (what a consumer's context continues); the bus's own are set here. */
const CARRIED = ["request_id", "traceparent"] as const;

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const { knex, table, js, partitions } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const batch = opts.batch ?? 100;
  const log = opts.log.child({ outbox: table });
  const found = await knex.raw<{ rows: { schema: string; oid: string; channel: string }[] }>(
    `select n.nspname as schema, c.oid::text as oid, ${channelSql("c.oid")} as channel
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass(?)`,
    [table],
  );
  const target = found.rows[0];
  if (!target) throw new Error(`outbox table ${table} not found: create it in the service's migration with createOutboxTable(knex)`);

  const notifications = new Notifications(knex, log);
  const wakeup = new Wakeup();
  const stopping = new AbortController();
  const unlisten = await notifications.listen(target.channel, () => wakeup.wake());

  async function publish(row: OutboxRow): Promise<void> {
    const h = natsHeaders();
    for (const name of CARRIED) {
      const value = row.headers?.[name];
      if (value) h.set(name, value);
    }
    h.set(H.type, row.type);
    h.set(H.topic, row.topic);
    h.set(H.key, row.key);
    h.set(H.publishedAt, String(row.created_at.getTime()));
    await js.publish(eventSubject(row.topic, partitionOf(row.key, partitions)), row.payload, {
      msgID: `${target!.schema}:${row.event_id}`,
      headers: h,
      timeout: PUBLISH_TIMEOUT_MS,
    });
  }

  /** One pass: relays up to `batch` rows. True when there may be more right away. */
  async function pass(): Promise<boolean> {
    let failure: unknown;
    const more = await knex.transaction(async (trx) => {
      const lock = await trx.raw<{ rows: { got: boolean }[] }>(`select pg_try_advisory_xact_lock(hashtext(?)) as got`, [
        `outbox-relay:${target!.oid}`,
      ]);
      if (!lock.rows[0]!.got) return false; // another replica relays; it is polled again
      const rows = await trx.raw<{ rows: OutboxRow[] }>(
        `select id, event_id, topic, key, type, payload, headers, created_at from ?? order by id limit ?`,
        [table, batch],
      );
      const sent: string[] = [];
      for (const row of rows.rows) {
        try {
          await publish(row);
        } catch (e) {
          failure = e;
          break;
        }
        sent.push(String(row.id));
      }
      if (sent.length > 0) await trx.raw(`delete from ?? where id = any(?::bigint[])`, [table, sent]);
      return failure === undefined && rows.rows.length === batch;
    });
    if (failure !== undefined) throw failure;
    return more;
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const seen = wakeup.seen;
      let more: boolean;
      try {
        more = await pass();
        if (failures > 0) log.info({ failed_passes: failures }, "outbox relay: relaying again");
        failures = 0;
      } catch (e) {
        if (failures++ === 0) log.warn({ err: e }, "outbox relay: cannot relay (NATS or the database is unreachable); the rows wait in the outbox; retrying");
        const delay = Math.min(100 * 2 ** Math.min(failures, 10), 5000);
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
        continue;
      }
      if (!more) await wakeup.sleep(seen, pollMs);
    }
  }

  const running = loop();
  return {
    stop: async () => {
      stopping.abort();
      wakeup.wake();
      await running;
      await unlisten();
      await notifications.close();
    },
  };
}
