// The event bus on PostgreSQL (schema "bus", migrations in ./migrations): the
// log lives in the same database as the services' own tables, so publishing
// inside the caller's transaction is a transactional outbox with no relay
// (./outbox.ts: the outbox a store gives its unit of work).
// Open the database with platform/db.ts:
//   openDatabase({ schema: "bus", migrationsDir: "transport/bus/migrations", … })
// and build the bus with its knex.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { Logger } from "pino";
import type { Context } from "../../endpoints/context.js";
import { checkTopic, type Bus, type Outbox, type SubscribeOptions, type Subscription, type Topic } from "../../endpoints/bus.js";
import { startConsumer } from "./consumer.js";
import { outboxMessage } from "./outbox-message.js";
import { Notifications } from "./notifications.js";
import { topicLock } from "./outbox.js";
import { Subscriptions } from "./subscriptions.js";

export interface PostgresBusOptions {
  /** A knex on the database holding the "bus" schema, migrated. */
  knex: Knex;
  log: Logger;
  /** How often an idle consumer looks for work even without a notification; default 1000 ms. */
  pollMs?: number;
  /**
   * A claimed message is leased to its consumer for the subscription's
   * handler deadline (handlerTimeoutMs) plus this; default 10 000 ms. A
   * consumer that dies mid-message delays that message by its lease.
   */
  leaseMarginMs?: number;
}

export class PostgresBus implements Bus {
  readonly system = "postgresql";
  private readonly notifications: Notifications;
  private readonly subscriptions = new Subscriptions();

  constructor(private readonly opts: PostgresBusOptions) {
    this.notifications = new Notifications(opts.knex, opts.log);
  }

  async publish<Desc extends DescMessage>(outbox: Outbox, topic: Topic<Desc>, key: string, message: MessageShape<Desc>, ctx?: Context): Promise<bigint> {
    return outbox.add(outboxMessage(topic, key, message, ctx));
  }

  async subscribe<Desc extends DescMessage>(opts: SubscribeOptions<Desc>): Promise<Subscription> {
    checkTopic(opts.topic.name);
    if (!opts.group) throw new Error("a subscription needs a group");
    await this.register(opts.group, opts.topic.name);
    const consumer = await startConsumer(
      { knex: this.opts.knex, log: this.opts.log, notifications: this.notifications, pollMs: this.opts.pollMs ?? 1000, leaseMarginMs: this.opts.leaseMarginMs ?? 10_000 },
      opts,
    );
    return this.subscriptions.track(consumer);
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    await this.notifications.close();
  }

  /**
   * Records the group as a subscriber of the topic; the first time, the topic's
   * earlier messages are queued for it too, so a group that starts after its
   * publishers misses nothing. The exclusive lock waits for publishes in flight.
   */
  private async register(group: string, topic: string): Promise<void> {
    await this.opts.knex.transaction(async (t) => {
      const known = await t.raw<{ rows: unknown[] }>(
        `select 1 from bus.subscriptions where group_name = ? and topic = ?`,
        [group, topic],
      );
      if (known.rows.length > 0) return;
      await t.raw(`select pg_advisory_xact_lock(hashtext(?))`, [topicLock(topic)]);
      const added = await t.raw<{ rows: unknown[] }>(
        `insert into bus.subscriptions (group_name, topic) values (?, ?) on conflict do nothing returning 1`,
        [group, topic],
      );
      if (added.rows.length === 0) return;
      await t.raw(
        `insert into bus.deliveries (group_name, message_id, topic, key)
         select ?, id, topic, key from bus.messages where topic = ?
         on conflict do nothing`,
        [group, topic],
      );
    });
  }
}
