// contracts/acknowledged-changes.json: the deliberate differences between the
// released contracts and the tree, each with why it is deliberate and no caller
// breaks, reviewed like code. A difference is acknowledged by an entry naming
// exactly it:
//   a method option:  {"method", "option", "from", "to", "why"}  (from/to: the option's JSON, null when undeclared)
//   a message option: {"type", "option", "from", "to", "why"}    (type: the message's full name; an event's topic, for one)
//   a buf finding:    {"rule", "path", "message", "why"}          (as buf breaking --error-format json names it)
//   buf's own rules:  {"file": "buf.yaml", "from", "to", "why"}  (git blob ids of buf.yaml at the release and now)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { JsonValue } from "@bufbuild/protobuf";
import type { BufFinding } from "./buf.js";
import { canonical, type MessageOptionChange, type OptionChange } from "./semantic-diff.js";

export const ACK_FILE = "contracts/acknowledged-changes.json";

const ABOUT =
  "Deliberate changes to the contracts since the release in contracts/released, each with why it is deliberate and no caller breaks. " +
  "make breaking fails on a change not listed here and on an entry that matches no change; make release-contracts empties the list.";

/** What `why` says in an entry printed for the author to fill in; refused as it is. */
export const WHY_PLACEHOLDER = "<why it is deliberate and no caller breaks>";

/** buf.yaml differs from the release's: the rules that judge the contracts may have changed. */
export interface ConfigChange {
  file: string;
  from: string;
  to: string;
}

export type Difference =
  | ({ kind: "option" } & OptionChange)
  | ({ kind: "message-option" } & MessageOptionChange)
  | ({ kind: "buf" } & BufFinding)
  | ({ kind: "config" } & ConfigChange);

export interface Acknowledgement {
  /** The entry as written, without `why`: what it matches. */
  names: Record<string, JsonValue>;
  why: string;
}

const OPTION_KEYS = ["method", "option", "from", "to"];
const MESSAGE_OPTION_KEYS = ["type", "option", "from", "to"];
const BUF_KEYS = ["rule", "path", "message"];
const CONFIG_KEYS = ["file", "from", "to"];

/** The entry that acknowledges `d` (the fields that identify it; `why` to be written). */
export function entryFor(d: Difference): Record<string, JsonValue> {
  switch (d.kind) {
    case "option":
      return { method: d.method, option: d.option, from: d.from, to: d.to, why: WHY_PLACEHOLDER };
    case "message-option":
      return { type: d.message, option: d.option, from: d.from, to: d.to, why: WHY_PLACEHOLDER };
    case "buf":
      return { rule: d.rule, path: d.path, message: d.message, why: WHY_PLACEHOLDER };
    case "config":
      return { file: d.file, from: d.from, to: d.to, why: WHY_PLACEHOLDER };
  }
}

function key(names: Record<string, JsonValue>): string {
  const { why: _why, ...rest } = names;
  return JSON.stringify(canonical(rest));
}

/** Parses the file's text; throws one error listing every malformed entry. */
export function parseAcknowledgements(text: string, file = ACK_FILE): Acknowledgement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); fix it so make breaking can read the acknowledgements.`);
  }
  const shape = `${file} must be {"about": "...", "acknowledged": [entries]}`;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${shape}; it is not an object.`);
  const extra = Object.keys(doc).filter((k) => k !== "about" && k !== "acknowledged");
  const list = (doc as { acknowledged?: unknown }).acknowledged;
  if (!Array.isArray(list) || extra.length > 0) {
    throw new Error(`${shape}; ${Array.isArray(list) ? `unknown key(s) ${extra.join(", ")}` : `"acknowledged" is not a list`}.`);
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const acks: Acknowledgement[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `entry ${i + 1}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return problems.push(`${at}: not an object`);
    const e = entry as Record<string, JsonValue>;
    const keys = "method" in e ? OPTION_KEYS : "type" in e ? MESSAGE_OPTION_KEYS : "file" in e ? CONFIG_KEYS : BUF_KEYS;
    const json = keys === OPTION_KEYS || keys === MESSAGE_OPTION_KEYS; // from/to are the option's JSON
    const wanted = [...keys, "why"];
    const missing = wanted.filter((k) => !(k in e));
    const unknown = Object.keys(e).filter((k) => !wanted.includes(k));
    const strings = keys.filter((k) => (!json || (k !== "from" && k !== "to")) && k in e && typeof e[k] !== "string");
    if (missing.length || unknown.length || strings.length) {
      return problems.push(
        `${at}: ${[
          missing.length ? `missing ${missing.join(", ")}` : "",
          unknown.length ? `unknown ${unknown.join(", ")}` : "",
          strings.length ? `${strings.join(", ")} must be text` : "",
        ]
          .filter(Boolean)
          .join("; ")} (a method option needs method, option, from, to, why; a message option type, option, from, to, why; a buf finding rule, path, message, why; buf.yaml file, from, to, why)`,
      );
    }
    if (typeof e.why !== "string" || e.why.trim() === "" || e.why === WHY_PLACEHOLDER) {
      return problems.push(`${at}: "why" must say why the change is deliberate and no caller breaks (it is what the reviewer approves)`);
    }
    const k = key(e);
    const first = seen.get(k);
    if (first !== undefined) return problems.push(`${at}: the same change as entry ${first}; remove one`);
    seen.set(k, i + 1);
    const { why, ...names } = e;
    acks.push({ names, why });
  });
  if (problems.length > 0) throw new Error(`${file} has ${problems.length} malformed entr${problems.length === 1 ? "y" : "ies"}:\n  ${problems.join("\n  ")}`);
  return acks;
}

/** The acknowledgements in `root`; an absent file acknowledges nothing. */
export function readAcknowledgements(root: string): Acknowledgement[] {
  const file = path.join(root, ACK_FILE);
  return existsSync(file) ? parseAcknowledgements(readFileSync(file, "utf8")) : [];
}

/** Writes the file with no acknowledgements (a release makes them part of the baseline). */
export function clearAcknowledgements(root: string): void {
  writeFileSync(path.join(root, ACK_FILE), `${JSON.stringify({ about: ABOUT, acknowledged: [] }, null, 2)}\n`);
}

/** Which differences no entry acknowledges, which entries match no difference, and the matched pairs. */
export function reconcile(differences: readonly Difference[], acks: readonly Acknowledgement[]) {
  const byKey = new Map(acks.map((a) => [key(a.names), a]));
  const used = new Set<Acknowledgement>();
  const unacknowledged: Difference[] = [];
  const acknowledged: { difference: Difference; why: string }[] = [];
  for (const d of differences) {
    const ack = byKey.get(key(entryFor(d)));
    if (!ack) {
      unacknowledged.push(d);
      continue;
    }
    used.add(ack);
    acknowledged.push({ difference: d, why: ack.why });
  }
  return { unacknowledged, acknowledged, stale: acks.filter((a) => !used.has(a)) };
}
