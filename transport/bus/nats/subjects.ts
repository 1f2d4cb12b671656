// Where the NATS bus puts things: its two streams, the subject of each event,
// replay and dead letter, the durable consumers' names, and the headers a
// message carries. One home for every name, so the relay, the consumers and
// the dead letters cannot disagree.
//
//   ITINERA_EVENTS        events.<topic>.<partition>.<audience>
//                           audience "_": every group (what the relays publish)
//                           audience <group>: a dead letter replayed to that group only
//   ITINERA_DEAD_LETTERS  dead.<group>.<messageId>   one per (group, message): the latest failure
//
// A replay travels in its key's partition, so the group's partition consumer
// (filter events.<topic>.<partition>.*) handles it in turn with the key's
// other messages, never beside one; the other groups' consumers skip it.
// The audience is one token and the partition a number, so the filter of
// topic "a" (events.a.1.*) never matches topic "a.1" (events.a.1.<p>.<audience>).
import { checkTopic } from "../../../endpoints/bus.js";

export const EVENTS_STREAM = "ITINERA_EVENTS";
export const DEAD_LETTERS_STREAM = "ITINERA_DEAD_LETTERS";

/** Partitions per topic unless openNatsBus is told otherwise. */
export const DEFAULT_PARTITIONS = 8;

/** Headers of an event (request_id and traceparent, as the outbox stores them, travel too). */
export const H = {
  type: "Itinera-Type",
  topic: "Itinera-Topic",
  key: "Itinera-Key",
  /** When the publisher's transaction wrote the event (epoch ms). */
  publishedAt: "Itinera-Published-At",
  /** On a replay or a dead letter: the message's id (its sequence in the events stream). */
  messageId: "Itinera-Message-Id",
  // dead letters only
  group: "Itinera-Group",
  attempts: "Itinera-Attempts",
  error: "Itinera-Error",
  failedAt: "Itinera-Failed-At",
} as const;

const GROUP = /^[a-z0-9][a-z0-9_-]{0,49}$/;

/** Groups name subjects and durable consumers: lower-case letters, digits, dashes and underscores. */
export function checkGroup(group: string): string {
  if (!GROUP.test(group)) throw new Error(`invalid consumer group ${JSON.stringify(group)}: want ${GROUP}`);
  return group;
}

/** A stable partition for a key: FNV-1a (32 bits) of its UTF-8 bytes, mod `partitions`. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

/** The audience of an event for every group; a group's name can never be it. */
export const EVERY_GROUP = "_";

/** An event for every group, or (a replay) for one. */
export function eventSubject(topic: string, partition: number, audience = EVERY_GROUP): string {
  return `events.${checkTopic(topic)}.${partition}.${audience === EVERY_GROUP ? audience : checkGroup(audience)}`;
}

/** What a group's consumer of one partition reads: every audience (it skips other groups' replays). */
export function partitionFilter(topic: string, partition: number): string {
  return `events.${checkTopic(topic)}.${partition}.*`;
}

/** The audience of an event's subject: EVERY_GROUP or a group's name. */
export function audienceOf(subject: string): string {
  return subject.slice(subject.lastIndexOf(".") + 1);
}

export function deadLetterSubject(group: string, messageId: bigint): string {
  return `dead.${checkGroup(group)}.${messageId}`;
}

/**
 * The durable consumer of (group, topic) for one partition. Durable names may
 * not hold dots, so the topic's dots become underscores, and a hash of the
 * exact names keeps "a.b" and "a_b" apart.
 */
export function durableName(group: string, topic: string, partition: number): string {
  const tag = partitionOf(`${group}\u0000${topic}`, 0x7fffffff).toString(36);
  return `${checkGroup(group)}--${checkTopic(topic).replaceAll(".", "_")}--p${partition}--${tag}`;
}
