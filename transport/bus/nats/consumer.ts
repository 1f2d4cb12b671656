// One subscription of the NATS bus: durable pull consumers, explicit ack.
//
// Per-key ordering: a topic's subject is split into partitions
// (events.<topic>.<partition>, partition = hash(key) mod partitions), and a
// group has one durable consumer per partition with max_ack_pending 1: the
// server hands out a partition's next message only once the previous one is
// acknowledged (or dead-lettered), so the messages of one key are handled in
// publish order, while different partitions flow in parallel. A failure is
// nak'd with the backoff delay: the server redelivers that same message
// before any later one of its partition (checked on the real server by the
// contract suite's order case). Replicas of a service pull from the same
// durables, so they compete for partitions and never run one key twice at once.
// A replayed dead letter comes through its key's partition too (addressed to
// one group: the others acknowledge it unhandled), so it waits its turn.
//
// AckWait (default 30 s) must outlast a handler's deadline: a handler still
// running when it expires has its message redelivered (to another replica).
// A message is tried maxAttempts times (attempt = the server's delivery
// count, which also counts deliveries whose consumer crashed); after the last
// failure it goes to the dead letters with its error, then is acknowledged.
// `concurrency` = messages (so partitions) handled at once by this process;
// a message waiting for a free slot tells the server it is still in hand.
import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import { nanos } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { checkTopic, defaultBackoff, type DeliveryMeta, type SubscribeOptions, type Subscription } from "../../../endpoints/bus.js";
import { deliveryContext } from "../delivery-context.js";
import type { NatsDeadLetters } from "./dead-letters.js";
import { Slots } from "./slots.js";
import { audienceOf, checkGroup, durableName, EVENTS_STREAM, EVERY_GROUP, H, partitionFilter } from "./subjects.js";

export interface NatsConsumerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  log: Logger;
  partitions: number;
  ackWaitMs: number;
  deadLetters: NatsDeadLetters;
}

export async function startNatsConsumer<Desc extends DescMessage>(deps: NatsConsumerDeps, opts: SubscribeOptions<Desc>): Promise<Subscription> {
  const { js, jsm, ackWaitMs } = deps;
  const group = checkGroup(opts.group);
  const { schema } = opts.topic;
  const topic = checkTopic(opts.topic.name);
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  const backoff = opts.backoff ?? defaultBackoff;
  const log = deps.log.child({ topic, group });
  const slots = new Slots(Math.max(1, opts.concurrency ?? 1));
  let stopped = false;

  const durables = Array.from({ length: deps.partitions }, (_, p) => ({ name: durableName(group, topic, p), subject: partitionFilter(topic, p) }));
  for (const d of durables) await ensureDurable(jsm, d.name, d.subject, ackWaitMs);

  async function handle(m: JsMsg): Promise<void> {
    const audience = audienceOf(m.subject);
    if (audience !== EVERY_GROUP && audience !== group) {
      await acknowledge(m, log); // another group's replay
      return;
    }
    const header = (name: string) => m.headers?.get(name) || undefined;
    const replayedId = header(H.messageId);
    const publishedAt = header(H.publishedAt);
    const meta: DeliveryMeta = {
      messageId: replayedId ? BigInt(replayedId) : BigInt(m.seq),
      topic,
      key: header(H.key) ?? "",
      group,
      attempt: m.info.deliveryCount,
      publishedAt: publishedAt ? new Date(Number(publishedAt)) : new Date(Number(m.timestampNanos / 1_000_000n)),
    };
    const ctx = deliveryContext(log, { request_id: header("request_id"), traceparent: header("traceparent") }, meta);
    if (meta.attempt > maxAttempts) {
      // Its earlier deliveries were never acknowledged nor failed: their consumer died or outlived the ack wait.
      const n = meta.attempt - 1;
      const error = `${n} earlier ${n === 1 ? "delivery was" : "deliveries were"} never acknowledged nor failed (the consumer crashed, lost its connection or outlived the ack wait of ${ackWaitMs} ms)`;
      await deadLetter(m, meta, error, ctx.log);
      return;
    }
    try {
      const type = header(H.type);
      if (type !== schema.typeName) throw new Error(`message is a ${type}, not a ${schema.typeName}`);
      await opts.handler(ctx, fromBinary(schema, m.data), meta);
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (meta.attempt >= maxAttempts) {
        ctx.log.error({ err: e }, "bus: message failed its last attempt; moving it to dead letters");
        await deadLetter(m, meta, error, ctx.log);
        return;
      }
      const delayMs = Math.max(0, Math.round(backoff(meta.attempt)));
      ctx.log.warn({ err: e, retry_in_ms: delayMs }, "bus: message failed; will retry");
      m.nak(delayMs);
      return;
    }
    await acknowledge(m, ctx.log);
  }

  async function deadLetter(m: JsMsg, meta: DeliveryMeta, error: string, elog: Logger): Promise<void> {
    try {
      await deps.deadLetters.add({ group, topic, messageId: meta.messageId, attempts: meta.attempt, error, data: m.data, headers: m.headers, deliverySeq: m.seq });
    } catch (e) {
      elog.error({ err: e }, "bus: could not store a dead letter; the message will be delivered again");
      m.nak(Math.round(backoff(meta.attempt)));
      return;
    }
    await acknowledge(m, elog);
  }

  async function acknowledge(m: JsMsg, elog: Logger): Promise<void> {
    try {
      await m.ackAck();
    } catch (e) {
      // Connection lost or server down: the ack wait expires and the message is delivered again.
      elog.error({ err: e }, "bus: could not acknowledge a message; it will be delivered again");
    }
  }

  async function pull(messages: ConsumerMessages): Promise<void> {
    try {
      await pullEach(messages);
    } catch (e) {
      // Only a connection closed for good ends a pull (a lost one reconnects and the pull resumes).
      if (!stopped) log.error({ err: e }, "bus: a consumer stopped pulling");
    }
  }

  async function pullEach(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      if (stopped) {
        m.nak(); // pulled but not started: free for another member of the group now
        continue;
      }
      const release = await slots.acquire(() => m.working(), ackWaitMs / 3);
      try {
        if (stopped) m.nak();
        else await handle(m);
      } catch (e) {
        log.error({ err: e }, "bus: unexpected failure handling a message; it will be delivered again");
      } finally {
        release();
      }
    }
  }

  const iterators: ConsumerMessages[] = [];
  for (const d of durables) {
    const consumer = await js.consumers.get(EVENTS_STREAM, d.name);
    iterators.push(await consumer.consume({ max_messages: 1 }));
  }
  const loops = iterators.map((messages) => pull(messages));
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(iterators.map((messages) => messages.close().catch(() => undefined)));
      await Promise.all(loops);
    },
  };
}

/** Creates the durable consumer, or brings an existing one to this ack wait. */
async function ensureDurable(jsm: JetStreamManager, name: string, subject: string, ackWaitMs: number): Promise<void> {
  const settings = { ack_wait: nanos(ackWaitMs), max_ack_pending: 1, max_deliver: -1 };
  try {
    await jsm.consumers.add(EVENTS_STREAM, {
      durable_name: name,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...settings,
    });
  } catch (e) {
    const info = await jsm.consumers.info(EVENTS_STREAM, name).catch(() => undefined);
    if (!info) throw e;
    await jsm.consumers.update(EVENTS_STREAM, name, settings);
  }
}
