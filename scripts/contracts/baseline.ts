// The released contracts `make breaking` compares with: the commit recorded in
// contracts/released (main's last landed commit when someone ran
// `make release-contracts`), fetched when this clone lacks it. Nothing here
// ever answers "no baseline, so pass".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const RELEASED_FILE = "contracts/released";

/** git in `root`; throws with git's own words when it fails. */
export function git(root: string, args: string[]): string {
  const run = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (run.error) throw new Error(`could not run git: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${run.stderr.trim()}`);
  return run.stdout.trim();
}

/** The commit id recorded in contracts/released. */
export function readReleased(root: string): string {
  const file = path.join(root, RELEASED_FILE);
  if (!existsSync(file)) {
    throw new Error(`${RELEASED_FILE} is missing: it names the commit whose contracts are released. Restore it from main (git checkout origin/main -- ${RELEASED_FILE}).`);
  }
  const ids = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (ids.length !== 1 || !/^[0-9a-f]{40}$/.test(ids[0]!)) {
    throw new Error(`${RELEASED_FILE} must hold exactly one full commit id (40 hex digits) besides # comments; found ${JSON.stringify(ids)}. Write it with make release-contracts.`);
  }
  return ids[0]!;
}

export function writeReleased(root: string, commit: string): void {
  writeFileSync(
    path.join(root, RELEASED_FILE),
    `# The commit whose contracts (proto/) are released: \`make breaking\` compares the tree with it.\n` +
      `# Advanced only by \`make release-contracts\` (on main, once the commit has landed), which also\n` +
      `# empties contracts/acknowledged-changes.json; the commit that changes this file is the release.\n` +
      `${commit}\n`,
  );
}

function hasCommit(root: string, commit: string): boolean {
  return spawnSync("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: root }).status === 0;
}

/**
 * Makes sure `commit` is in this clone: fetches it from origin (one commit deep
 * in a shallow clone) when it is not. Returns how it was found; throws saying
 * what to do when it cannot be had.
 */
export function ensureCommit(root: string, commit: string): "present" | "fetched" {
  if (hasCommit(root, commit)) return "present";
  const shallow = git(root, ["rev-parse", "--is-shallow-repository"]) === "true";
  const fetch = spawnSync("git", ["fetch", "--quiet", "--no-tags", ...(shallow ? ["--depth=1"] : []), "origin", commit], {
    cwd: root,
    encoding: "utf8",
  });
  if (fetch.status === 0 && hasCommit(root, commit)) return "fetched";
  throw new Error(
    `the released commit ${commit} (${RELEASED_FILE}) is not in this clone${shallow ? " (a shallow clone)" : ""}, ` +
      `and fetching it from origin failed: ${(fetch.stderr ?? fetch.error?.message ?? "").trim() || `exit ${fetch.status}`}\n` +
      `Nothing was compared, so this is a failure, not a pass. Fetch it (git fetch origin ${commit}, or git fetch --unshallow) ` +
      `and run make breaking again; if that commit no longer exists (rewritten history), record one that does with make release-contracts on main.`,
  );
}
