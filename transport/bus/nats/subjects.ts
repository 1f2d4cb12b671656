// Where the NATS bus puts things: its two streams, the subject of each event,
// replay and dead letter, the durable consumers' names, and the headers a
// message carries. One home for every name, so the relay, the consumers and
// the dead letters cannot disagree.
//
//   ITINERA_EVENTS        events.<topic>.<partition>   what the relays publish
//                         replay.<group>.<topic>       dead letters replayed to one group
//   ITINERA_DEAD_LETTERS  dead.<group>.<messageId>     one per (group, message): the latest failure
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

export function eventSubject(topic: string, partition: number): string {
  return `events.${checkTopic(topic)}.${partition}`;
}

export function replaySubject(group: string, topic: string): string {
  return `replay.${checkGroup(group)}.${checkTopic(topic)}`;
}

export function deadLetterSubject(group: string, messageId: bigint): string {
  return `dead.${checkGroup(group)}.${messageId}`;
}

/**
 * The durable consumer of (group, topic) for one partition, or for the
 * group's replays. Durable names may not hold dots, so the topic's dots
 * become underscores, and a hash of the exact names keeps "a.b" and "a_b" apart.
 */
export function durableName(group: string, topic: string, partition: number | "replay"): string {
  const tag = partitionOf(`${group}\u0000${topic}`, 0x7fffffff).toString(36);
  return `${checkGroup(group)}--${checkTopic(topic).replaceAll(".", "_")}--${partition === "replay" ? "replay" : `p${partition}`}--${tag}`;
}
