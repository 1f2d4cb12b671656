// Every test file under a root: *.test.ts and *.test.tsx at any depth, in any
// folder (a new top-level folder included), except in the folders below. A
// folder that cannot be read stops the run rather than hiding its tests.
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Dependencies, generated code, build output and what runs leave behind: never tests of ours. */
const NOT_SEARCHED = new Set(["node_modules", "gen", ".git", "dist", ".data", ".test-data", "test-output", "scratch"]);
const TEST_FILE = /\.test\.tsx?$/;

export async function findTests(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !NOT_SEARCHED.has(entry.name)) found.push(...(await findTests(path)));
    else if (entry.isFile() && TEST_FILE.test(entry.name)) found.push(path);
  }
  return found.sort();
}
