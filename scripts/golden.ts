// Records a release's golden fixtures, run once per release: `make golden
// RELEASE=<commit>` (node --import tsx scripts/golden.ts --write <commit>).
// Writes contracts/golden/<commit>/ from contracts/golden/examples.ts with the
// code checked out, which must be that commit's (proto/ and gen/ equal to it):
//   <name>.binpb          the message's protobuf binary, as the release writes it
//   <name>.json           { type, placement, message: its protobuf JSON }
//   bus-messages.json     the outbox rows (bus.messages) of the bus examples, as stored
// A release's fixtures are never rewritten: the directory must not exist.
// contracts/golden.test.ts decodes every release's fixtures with today's code.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toBinary, toJson } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { EXAMPLES, LEFT_UNSET } from "../contracts/golden/examples.js";
import { obligations, typeRegistry, unmet } from "../contracts/golden/registry.js";

const ROOT = new URL("..", import.meta.url).pathname;
const GOLDEN_DIR = join(ROOT, "contracts", "golden");

/** The fields of `message` (recursively) left unset; of a oneof, only the arm set counts. Well-known types are not looked into. */
function unsetFields(message: ReflectMessage, path = message.desc.typeName): string[] {
  if (message.desc.typeName.startsWith("google.protobuf.")) return [];
  return message.fields.flatMap((field) => {
    const at = `${path}.${field.name}`;
    if (!message.isSet(field)) return field.oneof && message.oneofCase(field.oneof) ? [] : [at];
    if (field.fieldKind === "message") return unsetFields(message.get(field), at);
    if (field.fieldKind === "list" && field.listKind === "message") return [...message.get(field)].flatMap((m, i) => unsetFields(m as ReflectMessage, `${at}[${i}]`));
    return [];
  });
}

function fail(message: string): never {
  console.error(`golden: ${message}`);
  process.exit(1);
}

async function main() {
  const [flag, release] = process.argv.slice(2);
  if (flag !== "--write" || !release) fail("usage: scripts/golden.ts --write <release commit>   (make golden RELEASE=<commit>)");
  const git = (...args: string[]) => execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).trim();
  let commit: string;
  try {
    commit = git("rev-parse", "--short=7", "--verify", "--quiet", `${release}^{commit}`);
  } catch {
    fail(`${release} is not a commit here: name the release's commit`);
  }
  try {
    git("diff", "--quiet", commit, "--", "proto", "gen");
  } catch {
    fail(`proto/ or gen/ here differ from ${commit}: a release's fixtures are written by that release's code; check ${commit} out first`);
  }
  const dir = join(GOLDEN_DIR, commit);
  if (existsSync(dir)) fail(`${dir} exists: a release's fixtures are never rewritten`);

  const reflected = EXAMPLES.map((e) => reflect(e.schema, e.message));
  const unset = reflected.flatMap((r, i) => unsetFields(r).map((f) => `${EXAMPLES[i]!.name}: ${f}`)).filter((f) => !(f in LEFT_UNSET));
  if (unset.length > 0) fail(`examples must set every field; unset:\n  ${unset.join("\n  ")}`);
  const missing = unmet(await obligations(), reflected);
  if (missing.length > 0) fail(`no example of:\n  ${missing.map((o) => `${o.typeName} (${o.why})`).join("\n  ")}\nadd them to contracts/golden/examples.ts`);

  const registry = await typeRegistry();
  await mkdir(dir, { recursive: true });
  const busRows: unknown[] = [];
  for (const e of EXAMPLES) {
    const bytes = toBinary(e.schema, e.message);
    const json = { type: e.schema.typeName, placement: e.placement, message: toJson(e.schema, e.message, { registry }) };
    await writeFile(join(dir, `${e.name}.binpb`), bytes);
    await writeFile(join(dir, `${e.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    if ("bus" in e.placement) {
      const { topic, key, headers } = e.placement.bus;
      busRows.push({ fixture: e.name, topic, key, type: e.schema.typeName, headers, payload: Buffer.from(bytes).toString("base64") });
    }
  }
  await writeFile(join(dir, "bus-messages.json"), `${JSON.stringify(busRows, null, 2)}\n`);
  console.log(`golden: ${EXAMPLES.length} fixtures of ${commit} written to ${dir}`);
}

await main();
