// The buf CLI from this repository's node_modules, as the contract check uses
// it: build an image, and list buf breaking's findings as data.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUF = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));

/** One finding of `buf breaking` (the rule, e.g. FIELD_NO_DELETE, and where). */
export interface BufFinding {
  rule: string;
  path: string;
  line: number;
  message: string;
}

function buf(root: string, args: string[]) {
  const run = spawnSync(BUF, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`could not run ${BUF}: ${run.error.message} (is node_modules installed? make install)`);
  return run;
}

/** `buf build <input> -o <out>`: the input's contracts as one FileDescriptorSet with imports. */
export function buildImage(root: string, input: string, out: string): void {
  const run = buf(root, ["build", input, "-o", out]);
  if (run.status !== 0) throw new Error(`buf build ${input} failed (exit ${run.status}):\n${run.stderr.trim()}`);
}

/**
 * `buf breaking` of the working tree's module (with its buf.yaml's rules)
 * against an image: [] when nothing breaks; throws when buf itself fails.
 */
export function breakingFindings(root: string, againstImage: string): BufFinding[] {
  const run = buf(root, ["breaking", "--against", againstImage, "--error-format", "json"]);
  if (run.status === 0) return [];
  // buf exits 100 when it has findings, anything else when it could not compare.
  if (run.status !== 100) throw new Error(`buf breaking failed (exit ${run.status}):\n${(run.stderr + run.stdout).trim()}`);
  return run.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const f = JSON.parse(line) as { type: string; path: string; start_line?: number; message: string };
      return { rule: f.type, path: f.path, line: f.start_line ?? 0, message: f.message };
    });
}
