// Runs one test file in its own Node process (scripts/test/child.ts) and turns
// what it recorded, how it ended and what it printed into the file's result.
// Whatever goes wrong with the file itself — it exits non-zero, is killed at
// its timeout, ends before its suites finished, holds no test — is a failure.
import { spawn } from "node:child_process";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { readRecords, RESULTS_FILE_ENV, type Failure, type TestRecord } from "./records.js";

const CHILD = new URL("./child.ts", import.meta.url).pathname;
const FILE_TIMEOUT_MS = 180_000;
/** A file that needs longer says so in a line of its own: `// test-timeout-seconds: 600`. */
const TIMEOUT_MARK = /^\/\/ test-timeout-seconds: (\d+)$/m;

export type TestResult = Extract<TestRecord, { kind: "test" }>;

export interface FileResult {
  /** Relative to the root the run searched. */
  file: string;
  tests: TestResult[];
  /** Failures of the file rather than of one test: each counts as one failed. */
  problems: Failure[];
  output: string;
  ms: number;
}

/** Runs the file at `path` with `cwd` as its working directory; the result names it relative to `root`. */
export async function runFile(path: string, root: string, cwd: string, env: NodeJS.ProcessEnv): Promise<FileResult> {
  const file = relative(root, path);
  const mark = TIMEOUT_MARK.exec(await readFile(path, "utf8"));
  const timeoutMs = mark ? Number(mark[1]) * 1000 : FILE_TIMEOUT_MS;
  const dir = await mkdtemp(join(tmpdir(), "itinera-test-"));
  const resultsFile = join(dir, "results.jsonl");
  const childEnv: NodeJS.ProcessEnv = { ...env, [RESULTS_FILE_ENV]: resultsFile };
  // A web/ component test compiles its JSX as web/tsconfig.json says, not as the root's.
  const tsconfig = await nearestTsconfig(dirname(path), root);
  if (tsconfig && tsconfig !== join(cwd, "tsconfig.json")) childEnv.TSX_TSCONFIG_PATH = tsconfig;
  const started = Date.now();
  try {
    const { output, code, signal, timedOut } = await run(path, cwd, childEnv, timeoutMs);
    const records = readRecords(resultsFile);
    const tests = records.filter((r): r is TestResult => r.kind === "test");
    const problems = records.flatMap((r) => (r.kind === "problem" ? [r.failure] : []));
    const done = records.some((r) => r.kind === "done");
    const failedTests = tests.some((t) => t.status === "fail");
    if (timedOut) problems.push({ message: `the file was killed after ${timeoutMs / 1000} s: a test hangs, or the file needs a "// test-timeout-seconds: N" line` });
    else if (signal) problems.push({ message: `the file was ended by ${signal}` });
    else if (!done) problems.push({ message: `the file ended (exit code ${code}) before its suites had run: a process.exit or a crash in the file` });
    else if (code !== 0 && !failedTests && problems.length === 0) {
      problems.push({ message: `the file exited with code ${code} after its tests (an error outside any test: see its output)` });
    }
    if (done && tests.length === 0 && problems.length === 0) problems.push({ message: "the file holds no test: a test file must test something" });
    return { file, tests, problems, output, ms: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function nearestTsconfig(dir: string, root: string): Promise<string | undefined> {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, "tsconfig.json");
    if (await access(candidate).then(() => true, () => false)) return candidate;
    if (relative(root, d) === "" || d === dirname(d)) return undefined;
  }
}

interface Ended {
  output: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** Process groups of the test files running now. */
const running = new Set<number>();

/** Kills every process left in a group (tsx's esbuild service, at least, outlives the file by a moment). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/** Kills the running test files and every process they started (the runner is being stopped). */
export function killRunning(): void {
  for (const pid of running) killGroup(pid);
}

// Each file runs as the leader of its own process group, so a timeout kills what
// the file started too, and what it left running when it ended is killed: a
// process holding the file's stdout would otherwise keep the run waiting forever.
function run(path: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, path], {
      cwd,
      env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const pid = child.pid;
    if (pid === undefined) return; // spawn failed: "error" follows
    running.add(pid);
    let output = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid);
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      running.delete(pid);
      reject(e);
    });
    child.on("exit", () => {
      clearTimeout(timer);
      running.delete(pid);
      killGroup(pid);
    });
    child.on("close", (code, signal) => resolve({ output, code, signal, timedOut }));
  });
}
