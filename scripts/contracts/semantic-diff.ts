// What buf breaking does not judge: the options a method declares — who may
// call it ((itinera.options.v1.callers)), its timeout, its request limit, its
// idempotency level, and any option added later. Reads two buf images
// (FileDescriptorSets from `buf build -o`), each with its own registry so the
// options are read as that version declared them, and compares them per method.
import { createFileRegistry, fromBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";

/** One option of one method that differs; null on a side where the method does not declare it. */
export interface OptionChange {
  method: string;
  option: string;
  from: JsonValue;
  to: JsonValue;
}

/** A method the release did not have, with the options it declares (listed for information). */
export interface NewMethod {
  method: string;
  options: Record<string, JsonValue>;
}

type MethodOptions = Map<string, Record<string, JsonValue>>;

/**
 * "pkg.Service/Method" → its declared options by name: "idempotency_level",
 * "itinera.options.v1.callers", … (extensions without their JSON brackets).
 */
export function methodOptions(image: Uint8Array): MethodOptions {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, image));
  const methods: MethodOptions = new Map();
  for (const type of registry) {
    if (type.kind !== "service") continue;
    for (const method of type.methods) {
      const json = method.proto.options
        ? (toJson(MethodOptionsSchema, method.proto.options, { registry, useProtoFieldName: true }) as Record<string, JsonValue>)
        : {};
      const options: Record<string, JsonValue> = {};
      for (const [name, value] of Object.entries(json)) options[name.replace(/^\[(.*)\]$/, "$1")] = canonical(value);
      methods.set(`${type.typeName}/${method.name}`, options);
    }
  }
  return methods;
}

/** Every option change of a method present on both sides, and the methods only `head` has. */
export function semanticDiff(base: Uint8Array, head: Uint8Array): { changes: OptionChange[]; added: NewMethod[] } {
  const before = methodOptions(base);
  const after = methodOptions(head);
  const changes: OptionChange[] = [];
  const added: NewMethod[] = [];
  for (const [method, options] of after) {
    const old = before.get(method);
    if (!old) {
      added.push({ method, options });
      continue;
    }
    const names = [...new Set([...Object.keys(old), ...Object.keys(options)])].sort();
    for (const option of names) {
      const from = old[option] ?? null;
      const to = options[option] ?? null;
      if (sameJson(from, to)) continue;
      changes.push({ method, option, from, to });
    }
  }
  return { changes, added };
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
