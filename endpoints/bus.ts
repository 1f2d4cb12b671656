// The event bus's interface: a durable log with consumer groups, Kafka's
// semantics (ARCHITECTURE §5). Kept small on purpose — publish, subscribe,
// close — so that a second implementation over NATS JetStream (a stream per
// topic, a durable consumer per group, the key as subject token) can fit
// behind it later. The interface lives with the endpoint layer because
// services publish inside their own transactions and consumers are endpoints;
// the PostgreSQL implementation is transport/bus/postgres-bus.ts.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { Context } from "./context.js";

/** Where a handler's message came from, and how many times it was tried. */
export interface DeliveryMeta {
  /** Unique per message (not per delivery): what an inbox records. */
  readonly messageId: bigint;
  readonly topic: string;
  readonly key: string;
  /** The group this delivery is for. */
  readonly group: string;
  /** 1 on the first delivery, 2 on the first retry, … */
  readonly attempt: number;
  readonly publishedAt: Date;
}

/** An endpoint-like handler: resolves when the message is handled, throws to have it retried. */
export type MessageHandler<T> = (ctx: Context, message: T, meta: DeliveryMeta) => Promise<void>;

export interface SubscribeOptions<Desc extends DescMessage> {
  topic: string;
  /** Consumer group: every group gets every message; members of one group share them. */
  group: string;
  schema: Desc;
  handler: MessageHandler<MessageShape<Desc>>;
  /** Deliveries before a message is moved to the dead letters; default 5. */
  maxAttempts?: number;
  /** Milliseconds to wait before retry number `attempt` (1-based); default exponential from 1 s, at most 1 min. */
  backoff?: (attempt: number) => number;
  /** Messages of different keys handled at once by this consumer; default 1. */
  concurrency?: number;
}

export interface Subscription {
  /** Finishes the messages in hand, then stops claiming. */
  stop(): Promise<void>;
}

export interface Bus {
  /**
   * Appends a message to the topic's log inside the caller's transaction: it is
   * delivered once that transaction commits, and never if it rolls back.
   * Messages of one key are handled in the order they were published.
   * Resolves to the message's id.
   */
  publish<Desc extends DescMessage>(
    trx: Knex | Knex.Transaction,
    topic: string,
    key: string,
    schema: Desc,
    message: MessageShape<Desc>,
    ctx?: Context,
  ): Promise<bigint>;
  /** Starts a consumer; each message is handled at least once per group. */
  subscribe<Desc extends DescMessage>(opts: SubscribeOptions<Desc>): Promise<Subscription>;
  /** Stops every subscription (after their current messages) and frees the bus's connections. */
  close(): Promise<void>;
}

/** Exponential backoff: 1 s, 2 s, 4 s, … at most 60 s. */
export function defaultBackoff(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 60_000);
}

const TOPIC = /^[a-z0-9][a-z0-9._-]{0,49}$/;

/** Topics are lower-case names (dots, dashes, underscores), so that `bus_<topic>` is a valid channel. */
export function checkTopic(topic: string): string {
  if (!TOPIC.test(topic)) throw new Error(`invalid topic ${JSON.stringify(topic)}: want ${TOPIC}`);
  return topic;
}

export function channelOf(topic: string): string {
  return `bus_${topic}`;
}
