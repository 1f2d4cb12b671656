// Dead letters on NATS: the stream ITINERA_DEAD_LETTERS, one message per
// (group, message) on subject dead.<group>.<messageId>, holding the original
// payload and headers plus the group, attempts, error and failure time.
// - add: published with a message id, so a consumer that crashes between
//   storing the dead letter and acknowledging the event (and so stores it
//   again on redelivery) does not make two.
// - replay: publishes the payload again in its key's partition of the events
//   stream, addressed to that group only (events.<topic>.<partition>.<group>),
//   with the original message id in a header (so the group's inbox still
//   recognises it) and a fresh count of attempts, then deletes the dead
//   letter. It is handled after the messages already in that partition for
//   the group (a log has no going back to the original place, as PostgreSQL's
//   replay does) and never beside another message of its key.
// - discard: deletes it.
// Same observable behaviour as the PostgreSQL engine's dead letters.
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import type { JetStreamClient, JetStreamManager, MsgRequest, StoredMsg } from "@nats-io/jetstream";
import type { DeadLetter, DeadLetters } from "../../../endpoints/bus.js";
import { checkGroup, DEAD_LETTERS_STREAM, deadLetterSubject, eventSubject, H, partitionOf } from "./subjects.js";

/** A delivery that failed its last attempt. */
export interface FailedDelivery {
  group: string;
  topic: string;
  messageId: bigint;
  attempts: number;
  error: string;
  /** The event as delivered: its payload and headers (type, key, published at, request_id, traceparent). */
  data: Uint8Array;
  headers: MsgHdrs | undefined;
  /** The delivery's own sequence in the events stream (a replay's differs from its original's). */
  deliverySeq: number;
}

/** Headers a dead letter adds to the event's; a replay drops them again. */
const DEAD_LETTER_ONLY: readonly string[] = [H.group, H.attempts, H.error, H.failedAt];
const ERROR_MAX = 2000;

export class NatsDeadLetters implements DeadLetters {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    /** The bus's partitions per topic: a replay goes to its key's. */
    private readonly partitions: number,
  ) {}

  /** Stores the dead letter of a delivery (or replaces the group's earlier one of that message). */
  async add(f: FailedDelivery): Promise<void> {
    const h = copyHeaders(f.headers, [H.messageId, ...DEAD_LETTER_ONLY]);
    h.set(H.messageId, String(f.messageId));
    h.set(H.topic, f.topic);
    h.set(H.group, f.group);
    h.set(H.attempts, String(f.attempts));
    // A header is one line of text.
    h.set(H.error, f.error.replace(/[\r\n]+/g, " ").slice(0, ERROR_MAX));
    h.set(H.failedAt, String(Date.now()));
    await this.js.publish(deadLetterSubject(f.group, f.messageId), f.data, {
      msgID: `dead:${f.group}:${f.messageId}:${f.deliverySeq}`,
      headers: h,
    });
  }

  async list(filter: { group?: string; topic?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = filter.limit ?? 100;
    if (filter.group !== undefined && !isGroup(filter.group)) return [];
    const subject = `dead.${filter.group ?? "*"}.*`;
    const found: DeadLetter[] = [];
    let seq = 1;
    while (found.length < limit) {
      // The server (2.9 and later) takes next_by_subj on a stream's message get; the client's type names only seq and last_by_subj.
      const stored = await this.jsm.streams.getMessage(DEAD_LETTERS_STREAM, { seq, next_by_subj: subject } as MsgRequest);
      if (!stored) break;
      seq = stored.seq + 1;
      const letter = deadLetterOf(stored);
      if (filter.topic === undefined || letter.topic === filter.topic) found.push(letter);
    }
    return found;
  }

  async replay(group: string, messageId: bigint): Promise<boolean> {
    const stored = await this.find(group, messageId);
    if (!stored) return false;
    const h = copyHeaders(stored.header, DEAD_LETTER_ONLY);
    const subject = eventSubject(header(stored, H.topic), partitionOf(header(stored, H.key), this.partitions), group);
    await this.js.publish(subject, stored.data, {
      // replaying the same dead letter twice (a retry after a crash here) is dropped by the server
      msgID: `replay:${group}:${messageId}:${stored.seq}`,
      headers: h,
    });
    await this.jsm.streams.deleteMessage(DEAD_LETTERS_STREAM, stored.seq, false);
    return true;
  }

  async discard(group: string, messageId: bigint): Promise<boolean> {
    const stored = await this.find(group, messageId);
    if (!stored) return false;
    return this.jsm.streams.deleteMessage(DEAD_LETTERS_STREAM, stored.seq, false);
  }

  private async find(group: string, messageId: bigint): Promise<StoredMsg | null> {
    if (!isGroup(group) || messageId < 0n) return null;
    return this.jsm.streams.getMessage(DEAD_LETTERS_STREAM, { last_by_subj: deadLetterSubject(group, messageId) });
  }
}

function isGroup(group: string): boolean {
  try {
    checkGroup(group);
    return true;
  } catch {
    return false;
  }
}

function copyHeaders(from: MsgHdrs | undefined, except: readonly string[]): MsgHdrs {
  const h = natsHeaders();
  for (const name of from?.keys() ?? []) {
    if (!except.includes(name)) h.set(name, from!.get(name));
  }
  return h;
}

function header(stored: StoredMsg, name: string): string {
  const value = stored.header?.get(name);
  if (!value) throw new Error(`dead letter ${stored.seq} has no ${name} header: not written by this bus`);
  return value;
}

function deadLetterOf(stored: StoredMsg): DeadLetter {
  return {
    group: header(stored, H.group),
    topic: header(stored, H.topic),
    key: header(stored, H.key),
    messageId: BigInt(header(stored, H.messageId)),
    type: header(stored, H.type),
    attempts: Number(header(stored, H.attempts)),
    lastError: header(stored, H.error),
    publishedAt: new Date(Number(header(stored, H.publishedAt))),
    failedAt: new Date(Number(header(stored, H.failedAt))),
  };
}
