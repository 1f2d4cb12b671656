// The runner cannot be fooled: each trick that fooled the old one (counts
// parsed from uvu's text) is a deliberately broken fixture file, copied into a
// fresh root as a *.test.ts(x) file, and the real runner, started as a child
// process on that root, must end red with the exact summary line. The fixtures
// live as *.fixture.ts so the real run never picks them up.
// test-timeout-seconds: 400
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const REPO = new URL("../../", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
/** Inside the repository (so the copies resolve its node_modules) and in a folder no run searches. */
const SCRATCH = join(REPO, ".test-data", "runner-fixtures");

interface Run {
  code: number | null;
  output: string;
  /** The last line: "N passed, N failed, N skipped". */
  summary: string;
}

/**
 * Copies each fixture (a name in fixtures/, or `{ text }` for a file the root type check
 * must not see) to its path under a fresh root and runs the runner there, as make test would.
 */
async function runOn(files: Record<string, string | { text: string }>, filters: string[] = []): Promise<Run> {
  await mkdir(SCRATCH, { recursive: true });
  const root = await mkdtemp(join(SCRATCH, "root-"));
  try {
    for (const [path, fixture] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      if (typeof fixture === "string") await copyFile(join(FIXTURES, `${fixture}.fixture.ts`), join(root, path));
      else await writeFile(join(root, path), fixture.text);
    }
    return await runner(root, filters);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function runner(root: string, filters: string[]): Promise<Run> {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/run-tests.ts", "--root", root, ...filters], {
      cwd: REPO,
      // An explicit server: the runner starts no PostgreSQL (no fixture opens a database).
      env: { ...process.env, TEST_DATABASE_URL: "postgres://fixtures-open-no-database", TEST_CONCURRENCY: "2", TEST_VERBOSE: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, summary: output.trimEnd().split("\n").at(-1) ?? "" }));
  });
}

function red(run: Run, summary: string, ...said: string[]) {
  green(run, summary, 1);
  for (const text of said) assert.ok(run.output.includes(text), `the runner did not print "${text}"; it printed:\n${run.output}`);
}

function green(run: Run, summary: string, code = 0) {
  assert.is(run.summary, summary, `the runner's last line; it printed:\n${run.output}`);
  assert.is(run.code, code, `the runner's exit code; it printed:\n${run.output}`);
}

test("control: passing files, with uvu's hooks and state, are green", async () => {
  const run = await runOn({ "services/a.test.ts": "passing", "transport/b.test.ts": "hooks" });
  green(run, "4 passed, 0 failed, 0 skipped");
});

test("a skip with a reason is counted and printed with its reason, and does not fail the run", async () => {
  const run = await runOn({ "services/a.test.ts": "skip-with-reason" });
  green(run, "1 passed, 0 failed, 1 skipped");
  assert.ok(run.output.includes("skipped  services/a.test.ts › refunds in yen — reason: the sandbox bank has no JPY yet"), `it printed:\n${run.output}`);
});

test("a test.skip without a reason beside a real failing assertion is red (the old runner printed 0 failed)", async () => {
  const run = await runOn({ "services/a.test.ts": "skip", "services/b.test.ts": "failing" });
  red(run, "1 passed, 2 failed, 0 skipped", "skipped without a reason", "the total in minor units");
});

test("a .only anywhere is red, naming the file and the test", async () => {
  const run = await runOn({ "services/a.test.ts": "only", "services/b.test.ts": "passing" });
  red(run, "3 passed, 1 failed, 0 skipped", "failed   services/a.test.ts › focused: test.only would hide");
});

test("a file with no test is red", async () => {
  const run = await runOn({ "services/a.test.ts": "no-test", "services/b.test.ts": "passing" });
  red(run, "2 passed, 1 failed, 0 skipped", "services/a.test.ts: the file holds no test");
});

test("a file printing uvu's 'Total: 40 / Passed: 40' is counted by its tests, not believed", async () => {
  const run = await runOn({ "services/a.test.ts": "prints-totals" });
  red(run, "0 passed, 1 failed, 0 skipped");
});

test("a failing .test.tsx file runs and is red", async () => {
  const run = await runOn({ "web/src/form.test.tsx": "failing" });
  red(run, "0 passed, 1 failed, 0 skipped", "web/src/form.test.tsx › charges the right amount");
});

test("a .test.tsx file compiles its JSX as its folder's tsconfig.json says (web/ uses the automatic runtime)", async () => {
  const run = await runOn({
    "web/tsconfig.json": { text: JSON.stringify({ compilerOptions: { jsx: "react-jsx" } }) },
    "web/src/card.test.tsx": {
      text: [
        `import { renderToString } from "react-dom/server";`,
        `import { test } from "uvu";`,
        `import * as assert from "uvu/assert";`,
        `test("renders without importing React", () => {`,
        `  assert.is(renderToString(<b>Lisbon</b>), "<b>Lisbon</b>");`,
        `});`,
        `test.run();`,
      ].join("\n"),
    },
  });
  green(run, "1 passed, 0 failed, 0 skipped");
});

test("a failing test in a new top-level folder runs and is red", async () => {
  const run = await runOn({ "brand-new/deep/a.test.ts": "failing", "services/b.test.ts": "passing" });
  red(run, "2 passed, 1 failed, 0 skipped", "brand-new/deep/a.test.ts");
});

test("a before hook that throws fails each test of its suite with the hook's error", async () => {
  const run = await runOn({ "services/a.test.ts": "before-throws" });
  red(run, "0 passed, 2 failed, 0 skipped", "the suite's before hook failed", "the seller sandbox is unreachable");
});

test("a file that exits 0 before its suites ran is red", async () => {
  const run = await runOn({ "services/a.test.ts": "exits-early", "services/b.test.ts": "passing" });
  red(run, "2 passed, 1 failed, 0 skipped", "ended (exit code 0) before its suites had run");
});

test("a file that exits non-zero after passing tests is red", async () => {
  const run = await runOn({ "services/a.test.ts": "exit-code" });
  red(run, "1 passed, 1 failed, 0 skipped", "exited with code 3 after its tests");
});

test("a file killed at its timeout is red, the process it started killed with it", async () => {
  const run = await runOn({ "services/a.test.ts": "hangs" });
  red(run, "1 passed, 1 failed, 0 skipped", "killed after 8 s");
});

test("a process a file leaves running, holding its output open, is killed: the run ends instead of waiting forever", async () => {
  const run = await runOn({ "services/a.test.ts": "leaves-a-process" });
  green(run, "1 passed, 0 failed, 0 skipped");
});

test("tests registered without .run() are red", async () => {
  const run = await runOn({ "services/a.test.ts": "never-run" });
  red(run, "0 passed, 1 failed, 0 skipped", `suite "orders" registers "fails if it ran" but never calls .run()`);
});

test("a suite queued after a top-level await runs, and its failure counts", async () => {
  const run = await runOn({ "services/a.test.ts": "late-suite" });
  red(run, "1 passed, 1 failed, 0 skipped", "after the await › fails");
});

test("a folder that cannot be read stops the run red instead of hiding its tests", async () => {
  const run = await runner(join(SCRATCH, "no-such-root"), []);
  assert.is(run.code, 1, `the runner's exit code; it printed:\n${run.output}`);
  assert.ok(run.output.includes("ENOENT"), `it printed:\n${run.output}`);
});

test("a FILES filter that matches no file is red", async () => {
  const run = await runOn({ "services/a.test.ts": "passing" }, ["walet"]);
  assert.is(run.code, 1, `the runner's exit code; it printed:\n${run.output}`);
  assert.ok(run.output.includes("no test file under"), `it printed:\n${run.output}`);
});

test("FILES filters by path: only the matching files run", async () => {
  const run = await runOn({ "services/wallet.test.ts": "passing", "services/b.test.ts": "failing" }, ["wallet"]);
  green(run, "2 passed, 0 failed, 0 skipped");
});

test.run();
