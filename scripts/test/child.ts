// The entry of each test process the runner starts:
//   node --import tsx scripts/test/child.ts <file>   (TEST_RESULTS_FILE set)
// It maps the bare specifier "uvu" to scripts/test/uvu.ts, imports the test file
// (its module code, top-level awaits included, queues the suites), runs every
// queued suite in order, and records each test's result, then "done". A file
// that ends before "done" (process.exit, a crash) is failed by the runner.
import { registerHooks } from "node:module";
import { pathToFileURL } from "node:url";
import { recorderTo, RESULTS_FILE_ENV } from "./records.js";
import { failureOf, runSuite } from "./run-suite.js";
import { neverRun, nextQueued } from "./uvu.js";

const OUR_UVU = new URL("./uvu.ts", import.meta.url).href;

const [file] = process.argv.slice(2);
const resultsFile = process.env[RESULTS_FILE_ENV];
if (!file || !resultsFile) {
  throw new Error(`usage: ${RESULTS_FILE_ENV}=<path> node --import tsx scripts/test/child.ts <file> (the runner starts it)`);
}
// The processes a test starts must not write into this file's results.
delete process.env[RESULTS_FILE_ENV];
const record = recorderTo(resultsFile);

registerHooks({
  resolve: (specifier, context, next) => (specifier === "uvu" ? { url: OUR_UVU, shortCircuit: true } : next(specifier, context)),
});

let failed = false;
const recordAndCount: typeof record = (r) => {
  if (r.kind === "problem" || (r.kind === "test" && r.status === "fail")) failed = true;
  record(r);
};

try {
  await import(pathToFileURL(file).href);
} catch (e) {
  const failure = failureOf(e);
  recordAndCount({ kind: "problem", failure: { ...failure, message: `the file failed to load: ${failure.message}` } });
}
for (let suite = nextQueued(); suite; suite = nextQueued()) await runSuite(suite, recordAndCount);
for (const suite of neverRun()) {
  const names = suite.tests.map((t) => `"${t.name}"`).join(", ");
  recordAndCount({
    kind: "problem",
    failure: { message: `suite "${suite.name}" registers ${names} but never calls .run(): add test.run() at the end` },
  });
}
record({ kind: "done" });
if (failed) process.exitCode = 1;

process.once("exit", () => {
  // A suite queued from a timer after the others finished would never count.
  const late = nextQueued();
  if (late) record({ kind: "problem", failure: { message: `suite "${late.name}" was queued after the file's suites had run: call .run() from the module's code` } });
});
