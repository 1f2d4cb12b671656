// Runs every test file under the repository (or under --root <dir>), or those
// whose path contains one of the arguments, each in its own Node process,
// TEST_CONCURRENCY (3) at a time (one `// test-heavy` file at a time: scripts/test/schedule.ts),
// against one embedded PostgreSQL started here
// unless TEST_DATABASE_URL names a server. The test loop is ours
// (scripts/test/child.ts): counts come from each test's own recorded result,
// never from a file's output. Ends with the line CI reads:
// "N passed, N failed, N skipped"; exits 1 when one failed or none passed.
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { ensureEmbeddedPostgres, type SharedPostgres } from "../platform/embedded-postgres.js";
import { findTests } from "./test/find-tests.js";
import { fileReport, summary, totalOf } from "./test/report.js";
import { killRunning, runFile, type FileResult } from "./test/run-file.js";
import { HEAVY_MARK, nextIndex } from "./test/schedule.js";

const REPO = new URL("..", import.meta.url).pathname;
// Three on two cores: the end-to-end files wait on facts (elections, restarts, retries) as much as
// they compute, and a third file fills those waits (a full run: 584–646 s with two, 556 s with three).
const CONCURRENCY = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 3) || 1);

async function main() {
  const { values, positionals: filters } = parseArgs({ options: { root: { type: "string" } }, allowPositionals: true });
  const root = values.root ? resolve(values.root) : REPO;
  const files = (await findTests(root)).filter((f) => filters.length === 0 || filters.some((p) => relative(root, f).includes(p)));
  if (files.length === 0) throw new Error(`no test file under ${root}${filters.length ? ` matches ${filters.join(" or ")}` : ""}`);

  let pg: SharedPostgres | undefined;
  const stopOnSignal = () => {
    killRunning();
    void (pg?.startedHere ? pg.stop() : Promise.resolve()).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  const env = { ...process.env };
  if (!env.TEST_DATABASE_URL) {
    // Reused when another run left it up (or runs beside this one); stopped only by the run that started it.
    // 25439: below the ephemeral range (32768–60999), where an outgoing connection may hold a port at start.
    const port = Number(env.TEST_PG_PORT ?? 25439);
    pg = await ensureEmbeddedPostgres({
      // One data directory per port: two runs on different ports must not share a cluster.
      dataDir: join(REPO, ".test-data", `pg-${port}`),
      port,
      log: pino({ level: "warn" }),
    });
    env.TEST_DATABASE_URL = pg.url;
  }

  const results: FileResult[] = [];
  const queue = [...files];
  const heavy = new Set(files.filter((f) => HEAVY_MARK.test(readFileSync(f, "utf8"))));
  let heavyRunning = false;
  const heavyEnded: (() => void)[] = [];
  const started = Date.now();
  const worker = async () => {
    while (queue.length > 0) {
      const i = nextIndex(queue, (f) => heavy.has(f), heavyRunning);
      if (i === -1) {
        await new Promise<void>((wake) => heavyEnded.push(wake));
        continue;
      }
      const [path] = queue.splice(i, 1) as [string];
      if (heavy.has(path)) heavyRunning = true;
      try {
        const r = await runFile(path, root, REPO, env);
        results.push(r);
        console.log(fileReport(r, Boolean(process.env.TEST_VERBOSE)));
      } finally {
        if (heavy.has(path)) {
          heavyRunning = false;
          for (const wake of heavyEnded.splice(0)) wake();
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    if (pg?.startedHere) await pg.stop();
  }

  results.sort((a, b) => a.file.localeCompare(b.file));
  console.log(summary(results, (Date.now() - started) / 1000));
  const total = totalOf(results);
  process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
}

await main();
