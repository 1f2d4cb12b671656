// What an operator may ask of the dead letters (endpoints/bus.ts DeadLetters),
// checked in one place: by the engines' DeadLetters before they query
// (PostgreSQL's does; the NATS engine's is to call the same two functions),
// by DeadLetterService's validators before the service runs, and by the
// dead-letters command before it connects. Field names are the contract's
// (proto/itinera/bus/v1/dead_letters.proto).
import { checkTopic } from "./bus.js";
import { invalidArgument } from "./errors.js";
import { intRange, pattern, positive, required, validator, violation, type Check } from "./rules.js";

/** How many dead letters a list returns when the caller names no limit, and the most it may ask for. */
export const DEAD_LETTERS_DEFAULT_LIMIT = 100;
export const DEAD_LETTERS_MAX_LIMIT = 500;

/**
 * A consumer group's name: lower case letters, digits, "-" and "_" (no dots:
 * a group is a JetStream durable consumer's name on the NATS engine).
 */
const GROUP = /^[a-z0-9][a-z0-9_-]{0,49}$/;
const GROUP_SHAPE = "a consumer group's name like booking-settlement (lower case letters, digits, - and _, at most 50)";
/** Message ids are PostgreSQL bigints and JetStream sequences: positive, at most 2^63 - 1. */
const MAX_MESSAGE_ID = 2n ** 63n - 1n;

export interface DeadLetterFilter {
  group?: string | undefined;
  topic?: string | undefined;
  limit?: number | undefined;
}

function groupCheck(field: string, group: string): Check {
  return required(field, group) || pattern(field, group, GROUP, GROUP_SHAPE);
}

function topicCheck(field: string, topic: string): Check {
  try {
    checkTopic(topic);
    return undefined;
  } catch {
    return violation(field, "pattern", "must be a topic like booking.reservations (lower case letters, digits, ., - and _, at most 50)");
  }
}

/** A list's filter: each part optional (empty: any), the limit 1..500. */
export function filterChecks(f: DeadLetterFilter): Check[] {
  return [
    f.group ? groupCheck("group", f.group) : undefined,
    f.topic ? topicCheck("topic", f.topic) : undefined,
    f.limit !== undefined && intRange("limit", f.limit, 1, DEAD_LETTERS_MAX_LIMIT),
  ];
}

/** One dead letter: its group and its message id. */
export function refChecks(group: string, messageId: bigint): Check[] {
  return [groupCheck("group", group), positive("message_id", messageId) || intRange("message_id", messageId, 1n, MAX_MESSAGE_ID)];
}

/** The filter with its default limit; INVALID_ARGUMENT naming each bad field. */
export function checkedFilter(f: DeadLetterFilter = {}): { group?: string; topic?: string; limit: number } {
  refuse("not a dead letter filter", filterChecks(f));
  return { ...(f.group ? { group: f.group } : {}), ...(f.topic ? { topic: f.topic } : {}), limit: f.limit ?? DEAD_LETTERS_DEFAULT_LIMIT };
}

/** INVALID_ARGUMENT naming each bad field, unless the group and message id are fine. */
export function checkRef(group: string, messageId: bigint): void {
  refuse("not a dead letter's group and message id", refChecks(group, messageId));
}

function refuse(what: string, checks: Check[]): void {
  const violations = validator(() => checks)(undefined);
  if (violations.length > 0) throw invalidArgument(`${what}: ${violations.map((v) => `${v.field} ${v.description}`).join("; ")}`, violations);
}
