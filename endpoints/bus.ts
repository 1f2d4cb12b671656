// The event bus's interface: a durable log with consumer groups, Kafka's
// semantics (ARCHITECTURE §5). Kept small on purpose — publish, subscribe,
// close — so that a second implementation over NATS JetStream (a stream per
// topic, a durable consumer per group, the key as subject token) can fit
// behind it later. The interface lives with the endpoint layer because
// services publish inside their own transactions and consumers are endpoints;
// it names no database: a message is published into an `Outbox` that the
// service's store gives inside its own transaction. The PostgreSQL
// implementation is transport/bus/postgres-bus.ts, its outbox
// transport/bus/outbox.ts.
//
// A topic is named once, in the contract: the (itinera.options.v1.topic)
// option of the event message. `topicOf(Schema)` is how publishers and
// consumers get it.
import { getOption, hasOption, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { topic as topicOption } from "../gen/itinera/options/v1/options_pb.js";
import type { Context } from "./context.js";

/** A topic of the bus and the one message type published on it. */
export interface Topic<Desc extends DescMessage = DescMessage> {
  readonly name: string;
  readonly schema: Desc;
}

/**
 * The topic an event message is published on, from its
 * (itinera.options.v1.topic) option. Throws — at wiring time, where it is
 * called — for a message that declares none or an invalid one.
 */
export function topicOf<Desc extends DescMessage>(schema: Desc): Topic<Desc> {
  if (!hasOption(schema, topicOption)) {
    throw new Error(
      `${schema.typeName} is not an event: it declares no bus topic; add option (itinera.options.v1.topic) = "<service>.<things>" to the message in its events.proto`,
    );
  }
  const name = getOption(schema, topicOption);
  try {
    return { name: checkTopic(name), schema };
  } catch (e) {
    throw new Error(`${schema.typeName}'s (itinera.options.v1.topic): ${(e as Error).message}`);
  }
}

/** One message as the outbox stores it: encoded, with the topic it goes to. */
export interface OutboxMessage {
  readonly topic: string;
  readonly key: string;
  /** The message's full type name. */
  readonly type: string;
  readonly payload: Uint8Array;
  /** request_id, traceparent: what a consumer's context continues. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Where a service's messages go inside its transaction: a store gives one
 * with each unit of work. What is added is delivered once that transaction
 * commits, and never if it rolls back.
 */
export interface Outbox {
  /** Resolves to the message's id. */
  add(message: OutboxMessage): Promise<bigint>;
}

/**
 * How a store gets the outbox of the bus engine inside one of its
 * transactions (`Trx`: its database library's transaction). main.ts hands it
 * over from transport/bus/open.ts, so stores name no engine.
 */
export type OutboxOf<Trx> = (trx: Trx) => Outbox;

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
  /** `topicOf(TheEventSchema)`. */
  topic: Topic<Desc>;
  /** Consumer group: every group gets every message; members of one group share them. */
  group: string;
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
   * Adds a message for the topic to the outbox of the caller's transaction: it
   * is delivered once that transaction commits, and never if it rolls back.
   * Messages of one key are handled in the order they were published.
   * Resolves to the message's id.
   */
  publish<Desc extends DescMessage>(outbox: Outbox, topic: Topic<Desc>, key: string, message: MessageShape<Desc>, ctx?: Context): Promise<bigint>;
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

/** Topics are lower-case names (dots, dashes, underscores): valid as a PostgreSQL channel's or a NATS subject's part. */
export function checkTopic(topic: string): string {
  if (!TOPIC.test(topic)) throw new Error(`invalid topic ${JSON.stringify(topic)}: want ${TOPIC}`);
  return topic;
}

/** A message a group gave up on, kept with the error of its last attempt. */
export interface DeadLetter {
  readonly group: string;
  readonly topic: string;
  readonly key: string;
  /** The message's id, as DeliveryMeta gave it to the handler (what an inbox records). */
  readonly messageId: bigint;
  /** The message's full type name. */
  readonly type: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly publishedAt: Date;
  readonly failedAt: Date;
}

/**
 * What an operator does with dead letters, on either engine. A replayed
 * message is delivered again to its group only (with the same messageId, so
 * an inbox still recognises it), with a fresh count of attempts; a discarded
 * one is gone. Both resolve to false when the group has no such dead letter.
 */
export interface DeadLetters {
  /** Oldest first; `group` and `topic` narrow it; at most `limit` (default 100). */
  list(filter?: { group?: string; topic?: string; limit?: number }): Promise<DeadLetter[]>;
  replay(group: string, messageId: bigint): Promise<boolean>;
  discard(group: string, messageId: bigint): Promise<boolean>;
}
