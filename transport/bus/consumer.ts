// One subscription of the PostgreSQL bus: loops that claim a group's next
// deliverable message with FOR UPDATE SKIP LOCKED, hold the claim (a row lock
// in an open transaction) while the handler runs, and delete the delivery on
// success — so a consumer that dies mid-message loses its lock and the message
// is claimed again (at least once). A message is deliverable when no earlier
// message of the same key is still pending for the group: that keeps order per
// key while different keys flow in parallel. A failure is retried after a
// backoff; after maxAttempts it moves to bus.dead_letters and its key goes on.
import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { backgroundContext, derive, parseTraceparent } from "../../endpoints/context.js";
import { defaultBackoff, type DeliveryMeta, type SubscribeOptions, type Subscription } from "../../endpoints/bus.js";
import { channelOf, type Notifications } from "./notifications.js";
import { Wakeup } from "./wakeup.js";

export interface ConsumerDeps {
  knex: Knex;
  log: Logger;
  notifications: Notifications;
  /** Slowest time to notice a message whose notification was missed. */
  pollMs: number;
}

interface ClaimedRow {
  message_id: bigint | string;
  key: string;
  attempts: number;
  type: string;
  payload: Buffer;
  headers: { request_id?: string; traceparent?: string } | null;
  created_at: Date;
}

export async function startConsumer<Desc extends DescMessage>(
  deps: ConsumerDeps,
  opts: SubscribeOptions<Desc>,
): Promise<Subscription> {
  const { knex, pollMs } = deps;
  const { group, handler } = opts;
  const { name: topic, schema } = opts.topic;
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoff = opts.backoff ?? defaultBackoff;
  const log = deps.log.child({ topic, group });
  const channel = channelOf(topic);
  const wakeup = new Wakeup();
  let stopped = false;

  const unlisten = await deps.notifications.listen(channel, () => wakeup.wake());

  /** Claims and handles one message; false when there was none to claim. */
  async function handleNext(): Promise<boolean> {
    const trx = await knex.transaction();
    let row: ClaimedRow | undefined;
    try {
      const claimed = await trx.raw<{ rows: ClaimedRow[] }>(
        `select d.message_id, d.key, d.attempts, m.type, m.payload, m.headers, m.created_at
           from bus.deliveries d join bus.messages m on m.id = d.message_id
          where d.group_name = ? and d.topic = ? and d.available_at <= now()
            and not exists (select 1 from bus.deliveries e
                             where e.group_name = d.group_name and e.topic = d.topic
                               and e.key = d.key and e.message_id < d.message_id)
          order by d.message_id
          limit 1
          for update of d skip locked`,
        [group, topic],
      );
      row = claimed.rows[0];
      if (!row) {
        await trx.commit();
        return false;
      }
    } catch (e) {
      await trx.rollback().catch(() => undefined);
      throw e;
    }
    const messageId = String(row.message_id);
    const meta: DeliveryMeta = {
      messageId: BigInt(messageId),
      topic,
      key: row.key,
      group,
      attempt: row.attempts + 1,
      publishedAt: row.created_at,
    };
    const base = backgroundContext({ log, requestId: row.headers?.request_id });
    const ctx = derive(base, {
      trace: parseTraceparent(row.headers?.traceparent),
      log: base.log.child({ message_id: messageId, key: row.key, attempt: meta.attempt }),
    });
    try {
      try {
        if (row.type !== schema.typeName) throw new Error(`message is a ${row.type}, not a ${schema.typeName}`);
        await handler(ctx, fromBinary(schema, row.payload), meta);
        await trx.raw(`delete from bus.deliveries where group_name = ? and message_id = ?`, [group, messageId]);
      } catch (e) {
        await recordFailure(trx, row, messageId, meta.attempt, e, ctx.log);
      }
      // Wake this group's other consumers if the key has a next message, now deliverable.
      await trx.raw(
        `select pg_notify(?, '') where exists (select 1 from bus.deliveries
            where group_name = ? and topic = ? and key = ? and message_id > ?)`,
        [channel, group, topic, row.key, messageId],
      );
      await trx.commit();
    } catch (e) {
      // The claim is lost (connection gone, database down): the message will be claimed again.
      ctx.log.error({ err: e }, "bus: could not acknowledge a message; it will be delivered again");
      await trx.rollback().catch(() => undefined);
    }
    return true;
  }

  async function recordFailure(trx: Knex.Transaction, row: ClaimedRow, messageId: string, attempt: number, e: unknown, elog: Logger) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (attempt >= maxAttempts) {
      elog.error({ err: e }, "bus: message failed its last attempt; moved to dead letters");
      await trx.raw(
        `insert into bus.dead_letters (group_name, message_id, topic, key, attempts, last_error)
         values (?, ?, ?, ?, ?, ?)
         on conflict (group_name, message_id) do update
           set attempts = excluded.attempts, last_error = excluded.last_error, failed_at = now()`,
        [group, messageId, topic, row.key, attempt, error],
      );
      await trx.raw(`delete from bus.deliveries where group_name = ? and message_id = ?`, [group, messageId]);
      return;
    }
    const delayMs = Math.max(0, Math.round(backoff(attempt)));
    elog.warn({ err: e, retry_in_ms: delayMs }, "bus: message failed; will retry");
    await trx.raw(
      `update bus.deliveries
          set attempts = ?, last_error = ?, available_at = now() + ? * interval '1 millisecond'
        where group_name = ? and message_id = ?`,
      [attempt, error, delayMs, group, messageId],
    );
  }

  /** Milliseconds until the group's next retry falls due (undefined: none waiting). */
  async function nextRetryInMs(): Promise<number | undefined> {
    const r = await knex.raw<{ rows: { ms: number | string | null }[] }>(
      `select extract(epoch from min(available_at) - now()) * 1000 as ms
         from bus.deliveries where group_name = ? and topic = ? and available_at > now()`,
      [group, topic],
    );
    const ms = r.rows[0]?.ms;
    return ms === null || ms === undefined ? undefined : Math.ceil(Number(ms));
  }

  async function loop() {
    while (!stopped) {
      const seen = wakeup.seen;
      let handled = false;
      try {
        handled = await handleNext();
      } catch (e) {
        log.error({ err: e }, "bus: could not claim a message");
      }
      if (handled || stopped) continue;
      const retryMs = await nextRetryInMs().catch(() => undefined);
      await wakeup.sleep(seen, Math.min(pollMs, retryMs ?? pollMs));
    }
  }

  const loops = Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, () => loop());
  return {
    stop: async () => {
      stopped = true;
      wakeup.wake();
      await Promise.all(loops);
      await unlisten();
    },
  };
}
