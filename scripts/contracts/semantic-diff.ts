// What buf breaking does not judge: the options a method declares — who may
// call it ((itinera.options.v1.callers)), its timeout, its request limit, its
// idempotency level, and any option added later — and the options a message
// declares (an event's bus topic, (itinera.options.v1.topic): renamed, every
// consumer of the release listens on the old one). Reads two buf images
// (FileDescriptorSets from `buf build -o`), each with its own registry so the
// options are read as that version declared them, and compares them per method
// and per message.
import { createFileRegistry, fromBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, MessageOptionsSchema, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";

/** One option of one method that differs; null on a side where the method does not declare it. */
export interface OptionChange {
  method: string;
  option: string;
  from: JsonValue;
  to: JsonValue;
}

/** One option of one message that differs; null on a side where the message does not declare it. */
export interface MessageOptionChange {
  message: string;
  option: string;
  from: JsonValue;
  to: JsonValue;
}

/** A method the release did not have, with the options it declares (listed for information). */
export interface NewMethod {
  method: string;
  options: Record<string, JsonValue>;
}

type Options = Map<string, Record<string, JsonValue>>;

/** Declared options by name: "idempotency_level", "itinera.options.v1.callers", … (extensions without their JSON brackets). */
function optionsOf(json: Record<string, JsonValue>): Record<string, JsonValue> {
  const options: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(json)) options[name.replace(/^\[(.*)\]$/, "$1")] = canonical(value);
  return options;
}

/** "pkg.Service/Method" → its declared options; "pkg.Message" → its declared options, for every message. */
export function declaredOptions(image: Uint8Array): { methods: Options; messages: Options } {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, image));
  const methods: Options = new Map();
  const messages: Options = new Map();
  const opts = { registry, useProtoFieldName: true };
  for (const type of registry) {
    if (type.kind === "message") {
      const json = type.proto.options ? (toJson(MessageOptionsSchema, type.proto.options, opts) as Record<string, JsonValue>) : {};
      messages.set(type.typeName, optionsOf(json));
    }
    if (type.kind !== "service") continue;
    for (const method of type.methods) {
      const json = method.proto.options ? (toJson(MethodOptionsSchema, method.proto.options, opts) as Record<string, JsonValue>) : {};
      methods.set(`${type.typeName}/${method.name}`, optionsOf(json));
    }
  }
  return { methods, messages };
}

/** Each option whose value differs between two declarations of one element. */
function optionDiffs(old: Record<string, JsonValue>, now: Record<string, JsonValue>): { option: string; from: JsonValue; to: JsonValue }[] {
  const names = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  return names
    .map((option) => ({ option, from: old[option] ?? null, to: now[option] ?? null }))
    .filter(({ from, to }) => !sameJson(from, to));
}

/** Every option change of a method or message present on both sides, and the methods only `head` has. */
export function semanticDiff(
  base: Uint8Array,
  head: Uint8Array,
): { changes: OptionChange[]; messageChanges: MessageOptionChange[]; added: NewMethod[] } {
  const before = declaredOptions(base);
  const after = declaredOptions(head);
  const changes: OptionChange[] = [];
  const added: NewMethod[] = [];
  for (const [method, options] of after.methods) {
    const old = before.methods.get(method);
    if (!old) added.push({ method, options });
    else changes.push(...optionDiffs(old, options).map((d) => ({ method, ...d })));
  }
  const messageChanges: MessageOptionChange[] = [];
  for (const [message, options] of after.messages) {
    const old = before.messages.get(message);
    if (old) messageChanges.push(...optionDiffs(old, options).map((d) => ({ message, ...d })));
  }
  return { changes, messageChanges, added };
}

/**
 * The value with object keys sorted and lists of scalars sorted: the order of
 * repeated values in our options (a method's caller services) carries no meaning,
 * and an acknowledgement written by hand must match whatever order it uses.
 */
export function canonical(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((v) => v === null || typeof v !== "object") ? items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : items;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k] as JsonValue)]),
    );
  }
  return value;
}

export function sameJson(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
