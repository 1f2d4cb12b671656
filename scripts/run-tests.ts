// Runs every *.test.ts file (or those matching the arguments) in its own Node
// process, two at a time, against one embedded PostgreSQL started here, and
// closes with the line CI reads: "N passed, N failed, N skipped".
// uvu prints Total/Passed/Skipped per file but no failed count: computed here.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pino } from "pino";
import { ensureEmbeddedPostgres, type SharedPostgres } from "../platform/embedded-postgres.js";

const ROOT = new URL("..", import.meta.url).pathname;
const TEST_DIRS = ["endpoints", "transport", "platform", "services", "bench", "scripts", "sandbox", "contracts", "e2e", "web"];
const FILE_TIMEOUT_MS = 180_000;
/** A file that needs longer says so in a line of its own: `// test-timeout-seconds: 600`. */
const TIMEOUT_MARK = /^\/\/ test-timeout-seconds: (\d+)$/m;
const CONCURRENCY = Number(process.env.TEST_CONCURRENCY ?? 2);

interface Result {
  file: string;
  total: number;
  passed: number;
  skipped: number;
  failed: number;
  output: string;
}

async function findTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && e.name !== "node_modules") found.push(...(await findTests(path)));
    else if (e.isFile() && e.name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

async function runFile(file: string, env: NodeJS.ProcessEnv): Promise<Result> {
  const mark = TIMEOUT_MARK.exec(await readFile(file, "utf8"));
  const timeoutMs = mark ? Number(mark[1]) * 1000 : FILE_TIMEOUT_MS;
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: ROOT,
      env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)\n`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const count = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(output)?.[1] ?? NaN);
      let total = count("Total");
      let passed = count("Passed");
      let skipped = count("Skipped");
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        // The file crashed before uvu could report: one failure for the file.
        total = 1;
        passed = 0;
        skipped = 0;
      }
      skipped = Number.isNaN(skipped) ? 0 : skipped;
      let failed = total - passed - skipped;
      // A file that reported all passed but exited non-zero failed after its tests (an unhandled error).
      if (code !== 0 && failed === 0) failed = 1;
      resolveResult({ file: relative(ROOT, file), total, passed, skipped, failed, output });
    });
  });
}

async function main() {
  const filters = process.argv.slice(2);
  const files = (await Promise.all(TEST_DIRS.map((d) => findTests(join(ROOT, d)))))
    .flat()
    .filter((f) => filters.length === 0 || filters.some((p) => relative(ROOT, f).includes(p)))
    .sort();

  let pg: SharedPostgres | undefined;
  const env = { ...process.env };
  if (!env.TEST_DATABASE_URL) {
    // Reused when another run left it up (or runs beside this one); stopped only by the run that started it.
    const port = Number(env.TEST_PG_PORT ?? 54339);
    pg = await ensureEmbeddedPostgres({
      // One data directory per port: two runs on different ports must not share a cluster.
      dataDir: join(ROOT, ".test-data", `pg-${port}`),
      port,
      log: pino({ level: "warn" }),
    });
    env.TEST_DATABASE_URL = pg.url;
    const stopOnSignal = () => void (pg?.startedHere ? pg.stop() : Promise.resolve()).finally(() => process.exit(130));
    process.once("SIGINT", stopOnSignal);
    process.once("SIGTERM", stopOnSignal);
  }

  const results: Result[] = [];
  const queue = [...files];
  const started = Date.now();
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const r = await runFile(file, env);
      results.push(r);
      const status = r.failed > 0 ? "FAIL" : "ok  ";
      console.log(`${status} ${r.file}  (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped)`);
      if (r.failed > 0 || process.env.TEST_VERBOSE) console.log(indent(r.output));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, CONCURRENCY) }, worker));
  } finally {
    if (pg?.startedHere) await pg.stop();
  }

  const sum = (k: "passed" | "failed" | "skipped") => results.reduce((n, r) => n + r[k], 0);
  const passed = sum("passed");
  const failed = sum("failed");
  const skipped = sum("skipped");
  console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

function indent(text: string) {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

await main();
