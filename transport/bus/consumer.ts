// One subscription of the PostgreSQL bus: loops that claim a group's next
// deliverable message with a LEASE — one short statement (FOR UPDATE SKIP
// LOCKED) that counts the attempt and sets available_at = now() + lease, then
// commits — run the handler with no transaction open, and settle in a second
// short transaction: delete the delivery on success, set its backoff on
// failure. Settling checks that the lease is still ours (the attempts count
// is the fencing token: a claim after the lease ran out counts another
// attempt), so a consumer that was too slow changes nothing. A consumer that
// dies mid-message leaves its lease to run out and the message is claimed
// again (at least once) — at once when the process died (the lease names the
// backend pid of the bus's LISTEN connection, gone with the process), when its
// lease runs out when it hung. That attempt counts, and a message whose last
// attempt died with its consumer is dead-lettered at its next claim.
// The lease is the subscription's handler deadline (handlerTimeoutMs: the
// consumer middleware enforces it) plus a margin, so a live consumer settles
// before its lease ends.
// A message is deliverable when no earlier message of the same key is still
// pending for the group — leased ones included: that keeps order per key
// while different keys flow in parallel. A failure is retried after a
// backoff; after maxAttempts it moves to bus.dead_letters and its key goes on.
import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { defaultBackoff, handlerTimeoutMs, type DeliveryMeta, type SubscribeOptions, type Subscription } from "../../endpoints/bus.js";
import { deliveryContext } from "./delivery-context.js";
import { channelOf, type Notifications } from "./notifications.js";
import { Wakeup } from "./wakeup.js";

export interface ConsumerDeps {
  knex: Knex;
  log: Logger;
  notifications: Notifications;
  /** Slowest time to notice a message whose notification was missed. */
  pollMs: number;
  /** What a lease adds to the handler's deadline. */
  leaseMarginMs: number;
}

type Outcome = { handled: true } | { handled: false; error: unknown };

interface ClaimedRow {
  message_id: bigint | string;
  key: string;
  /** This claim's attempt (counted when claimed). */
  attempts: number;
  last_error: string | null;
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
  const leaseMs = handlerTimeoutMs(opts) + deps.leaseMarginMs;
  const log = deps.log.child({ topic, group });
  const channel = channelOf(topic);
  const wakeup = new Wakeup();
  let stopped = false;

  const unlisten = await deps.notifications.listen(channel, () => wakeup.wake());

  /** Claims and handles one message; false when there was none to claim. */
  async function handleNext(): Promise<boolean> {
    const row = await claim();
    if (!row) return false;
    const messageId = String(row.message_id);
    const meta: DeliveryMeta = {
      messageId: BigInt(messageId),
      topic,
      key: row.key,
      group,
      attempt: row.attempts,
      publishedAt: row.created_at,
    };
    const ctx = deliveryContext(log, row.headers ?? {}, meta);
    if (meta.attempt > maxAttempts) {
      // Its last attempt never settled: the consumer died or hung past its lease.
      const error = `attempt ${meta.attempt - 1} did not finish within its lease of ${leaseMs} ms (the consumer died or hung)${row.last_error ? `; the one before failed with ${row.last_error}` : ""}`;
      await settle(row, { handled: false, error: new Error(error) }, ctx.log);
      return true;
    }
    let outcome: Outcome = { handled: true };
    try {
      if (row.type !== schema.typeName) throw new Error(`message is a ${row.type}, not a ${schema.typeName}`);
      await handler(ctx, fromBinary(schema, row.payload), meta);
    } catch (e) {
      outcome = { handled: false, error: e };
    }
    await settle(row, outcome, ctx.log);
    return true;
  }

  /** The group's next deliverable message, leased to this consumer and its attempt counted, in one committed statement. */
  async function claim(): Promise<ClaimedRow | undefined> {
    const claimed = await knex.raw<{ rows: ClaimedRow[] }>(
      `with next as (
         select d.message_id from bus.deliveries d
          where d.group_name = ? and d.topic = ?
            and (d.available_at <= now()
                 or (d.leased_by is not null and not exists (select 1 from pg_stat_activity a where a.pid = d.leased_by)))
            and not exists (select 1 from bus.deliveries e
                             where e.group_name = d.group_name and e.topic = d.topic
                               and e.key = d.key and e.message_id < d.message_id)
            -- a replayed dead letter (an earlier id) waits while a later message of its key is in hand
            and not exists (select 1 from bus.deliveries h
                             where h.group_name = d.group_name and h.topic = d.topic and h.key = d.key
                               and h.message_id <> d.message_id and h.leased_by is not null and h.available_at > now()
                               and exists (select 1 from pg_stat_activity a where a.pid = h.leased_by))
          order by d.message_id
          limit 1
          for update of d skip locked
       ), leased as (
         update bus.deliveries d
            set attempts = d.attempts + 1, available_at = now() + ? * interval '1 millisecond', leased_by = ?
           from next
          where d.group_name = ? and d.message_id = next.message_id
         returning d.message_id, d.key, d.attempts, d.last_error
       )
       select l.message_id, l.key, l.attempts, l.last_error, m.type, m.payload, m.headers, m.created_at
         from leased l join bus.messages m on m.id = l.message_id`,
      [group, topic, leaseMs, deps.notifications.holder() ?? null, group],
    );
    return claimed.rows[0];
  }

  /**
   * Settles an attempt in one short transaction, if the delivery is still
   * leased to it: handled → deleted; failed → its backoff, or the dead letters
   * after the last attempt. Either way a handled or dead-lettered message
   * wakes the group for its key's next one.
   */
  async function settle(row: ClaimedRow, outcome: Outcome, elog: Logger): Promise<void> {
    const messageId = String(row.message_id);
    const attempt = row.attempts;
    await knex.transaction(async (trx) => {
      const ours = await trx.raw<{ rows: unknown[] }>(
        `select 1 from bus.deliveries where group_name = ? and message_id = ? and attempts = ? for update`,
        [group, messageId, attempt],
      );
      if (ours.rows.length === 0) {
        elog.warn("bus: the lease ran out before the attempt settled; another claim of the message decides its fate");
        return;
      }
      if (!outcome.handled && attempt < maxAttempts) {
        const delayMs = Math.max(0, Math.round(backoff(attempt)));
        elog.warn({ err: outcome.error, retry_in_ms: delayMs }, "bus: message failed; will retry");
        await trx.raw(
          `update bus.deliveries set last_error = ?, available_at = now() + ? * interval '1 millisecond', leased_by = null
            where group_name = ? and message_id = ?`,
          [errorText(outcome.error), delayMs, group, messageId],
        );
        return;
      }
      if (!outcome.handled) {
        elog.error({ err: outcome.error }, "bus: message failed its last attempt; moved to dead letters");
        await trx.raw(
          `insert into bus.dead_letters (group_name, message_id, topic, key, attempts, last_error)
           values (?, ?, ?, ?, ?, ?)
           on conflict (group_name, message_id) do update
             set attempts = excluded.attempts, last_error = excluded.last_error, failed_at = now()`,
          [group, messageId, topic, row.key, Math.min(attempt, maxAttempts), errorText(outcome.error)],
        );
      }
      await trx.raw(`delete from bus.deliveries where group_name = ? and message_id = ?`, [group, messageId]);
      // Wake this group's other consumers if the key has a next message, now deliverable.
      await trx.raw(
        `select pg_notify(?, '') where exists (select 1 from bus.deliveries
            where group_name = ? and topic = ? and key = ? and message_id > ?)`,
        [channel, group, topic, row.key, messageId],
      );
    }).catch((e: unknown) => {
      // Database down, connection gone: the lease runs out and the message is claimed again.
      elog.error({ err: e }, "bus: could not settle a message; it will be delivered again when its lease runs out");
    });
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

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
