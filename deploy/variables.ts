// The environment variables a service reads, derived from its code: the
// local modules its main.ts imports (transitively, tests and type-only
// imports aside), and in them every call of one of platform/config.ts's
// readers with a literal name (`url("WALLET_URL", …)`) or of a local wrapper
// whose first parameter is `variable` (search's `ms("SEARCH_TOTAL_MS", …)`),
// every name given as a
// reader's parameter default (`variable = "SELLER_RELIABILITY"`) or as a
// registry's `…Variable: "SANDBOX_AIRLINE_URL"`. The readers are taken from
// platform/config.ts itself (each exported function whose first parameter is
// `variable`), so a new reader is seen without touching this file. A
// variable read through secret() or secretMap() is a secret; so is
// DATABASE_URL (it carries the database password), and ITINERA_ENV is read
// by secret() itself (platform/config.ts's ENVIRONMENT_VARIABLE).
// A static reading, and deliberately so: running each main.ts would need its
// database and peers.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ServiceVariables {
  /** Every variable the service's code reads. */
  read: Set<string>;
  /** Those that hold secrets: they must come from a Secret. */
  secret: Set<string>;
}

/** Secrets read by a reader that is not secret()/secretMap(). */
const SECRET_URLS = ["DATABASE_URL"];
const SECRET_READERS = ["secret", "secretMap"];

/** The reader functions platform/config.ts exports (first parameter `variable`), and which of them read secrets. */
export function configReaders(root: string): { all: string[]; secret: string[] } {
  const code = readFileSync(join(root, "platform/config.ts"), "utf8");
  const all = [...code.matchAll(/export function (\w+)(?:<[^(]*>)?\(variable: string/g)].map((m) => m[1]!);
  const missing = SECRET_READERS.filter((r) => !all.includes(r));
  if (missing.length > 0) throw new Error(`platform/config.ts no longer exports ${missing.join(", ")}: say in deploy/variables.ts which readers read secrets`);
  return { all, secret: SECRET_READERS };
}

/** The local .ts modules `entry` imports, itself included (relative to root). */
export function moduleGraph(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = withoutComments(readFileSync(join(root, file), "utf8"));
    for (const m of code.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gm)) {
      if (m[1]) continue; // a type-only import runs nothing
      const target = relative(root, resolve(root, dirname(file), m[2]!.replace(/\.js$/, ".ts")));
      if (!target.startsWith("gen/") && existsSync(join(root, target))) visit(target);
    }
  };
  visit(entry);
  return [...seen].sort();
}

/** What the code of the service whose entry file is `entry` reads. */
export function serviceVariables(root: string, entry: string): ServiceVariables {
  const readers = configReaders(root);
  const call = (names: string[]) => new RegExp(`\\b(${names.join("|")})\\(\\s*"([A-Z][A-Z0-9_]*)"`, "g");
  const read = new Set<string>();
  const secret = new Set<string>();
  for (const file of moduleGraph(root, entry)) {
    const code = withoutComments(readFileSync(join(root, file), "utf8"));
    const wrappers = [...code.matchAll(/\b(?:const|function)\s+(\w+)\s*=?\s*\(variable\b/g)].map((m) => m[1]!);
    for (const m of code.matchAll(call([...readers.all, ...wrappers]))) read.add(m[2]!);
    for (const m of code.matchAll(call(readers.secret))) secret.add(m[2]!);
    for (const m of code.matchAll(/\b\w*[vV]ariable\s*[:=]\s*"([A-Z][A-Z0-9_]*)"/g)) read.add(m[1]!);
  }
  for (const s of SECRET_URLS) if (read.has(s)) secret.add(s);
  if (secret.size > 0) read.add("ITINERA_ENV");
  return { read, secret };
}

function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"])\/\/.*$/gm, "$1");
}
