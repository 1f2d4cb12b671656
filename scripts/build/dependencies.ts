// What the built code imports from npm: every bare specifier (not relative,
// not node:) in the built files, against package.json's `dependencies`. An
// image installs those alone (`npm ci --omit=dev`), so a built file importing
// anything else (a devDependency, a package only present transitively) would
// start on this machine and fail in the image: the build refuses it.
import { readdir, readFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { join, relative } from "node:path";

/**
 * The module specifiers of a file as tsc emits them: `import x, { a } from "x"`, `import * as x from "x"`,
 * `export { a } from "x"`, `export * from "x"` (a statement at the start of a line), `import "x"`, and
 * `import("x")` with a literal specifier.
 */
const SPECIFIER =
  /^\s*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*["']([^"'\n]+)["']|^\s*import\s*["']([^"'\n]+)["']|\bimport\(\s*["']([^"'\n]+)["']\s*\)/gm;

export interface UnlistedImport {
  /** The built file, relative to the build directory. */
  file: string;
  /** The package it names. */
  pkg: string;
}

/** The package a bare specifier names ("@scope/name/sub" → "@scope/name", "name/sub" → "name"); undefined for relative, absolute and built-in ones. */
export function packageOf(specifier: string): string | undefined {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier) || isBuiltin(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

async function builtFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.[mc]?js$/.test(entry.name)) files.push(join(entry.parentPath, entry.name));
  }
  return files.sort();
}

/** Every import in `dir`'s JavaScript files of a package that is not in `dependencies`. */
export async function unlistedImports(dir: string, dependencies: Iterable<string>): Promise<UnlistedImport[]> {
  const listed = new Set(dependencies);
  const found: UnlistedImport[] = [];
  for (const file of await builtFiles(dir)) {
    const source = await readFile(file, "utf8");
    for (const [, fromClause, sideEffect, dynamic] of source.matchAll(SPECIFIER)) {
      const pkg = packageOf((fromClause ?? sideEffect ?? dynamic)!);
      if (pkg !== undefined && !listed.has(pkg)) found.push({ file: relative(dir, file), pkg });
    }
  }
  return found;
}
