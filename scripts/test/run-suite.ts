// Runs one queued suite and records each test's own result. Hooks as in uvu:
// before once, before.each + test + after.each per test (after.each runs even
// when the test failed), after once at the end. Where uvu hides an error, this
// records it: a before hook that throws fails every test of the suite with the
// hook's error, an after hook that throws is a failure of its own.
import { performance } from "node:perf_hooks";
import { compare } from "uvu/diff";
import type { Failure, Recorder } from "./records.js";
import type { Callback, Entry, QueuedSuite, State } from "./uvu.js";

/**
 * A skipped test must say why in its name, after "reason:":
 * `test.skip("refunds in yen — reason: the sandbox bank has no JPY until issue 21", fn)`.
 * The reason is printed in the summary; a skip without one fails the run.
 */
const SKIP_REASON = /^(.*?)[\s(,;:—–-]*\breason:\s*(\S.*?)\)?\s*$/s;

export async function runSuite(suite: QueuedSuite, record: Recorder): Promise<void> {
  const { state } = suite;
  state.__suite__ = suite.name;
  state.__test__ = "";
  const result = (name: string, failure: Failure | undefined, ms: number) =>
    record(
      failure
        ? { kind: "test", suite: suite.name, name, status: "fail", ms, failure }
        : { kind: "test", suite: suite.name, name, status: "pass", ms },
    );

  const beforeFailure = await firstFailure(suite.before, state);
  for (const entry of suite.tests) {
    const name = entry.name || "(a test without a name)";
    if (entry.skip) {
      const reason = SKIP_REASON.exec(entry.name);
      if (reason?.[2]) record({ kind: "test", suite: suite.name, name: reason[1] || name, status: "skip", reason: reason[2] });
      else result(name, { message: `skipped without a reason: name it test.skip("${name} — reason: why it cannot run now") or run it` }, 0);
      continue;
    }
    if (beforeFailure) {
      result(name, { ...beforeFailure, message: `the suite's before hook failed, so this test never ran: ${beforeFailure.message}` }, 0);
      continue;
    }
    state.__test__ = entry.name;
    const started = performance.now();
    const failure = await runTest(entry, suite, state);
    result(name, failure ?? onlyFailure(entry), performance.now() - started);
  }
  state.__test__ = "";
  const afterFailure = await firstFailure(suite.after, state);
  if (afterFailure) result("(the suite's after hook)", afterFailure, 0);
}

async function runTest(entry: Entry, suite: QueuedSuite, state: State): Promise<Failure | undefined> {
  let failure: Failure | undefined;
  try {
    for (const hook of suite.beforeEach) await hook(state);
    await entry.handler?.(state);
  } catch (e) {
    failure = failureOf(e);
  }
  const afterEach = await firstFailure(suite.afterEach, state);
  return failure ?? afterEach;
}

function onlyFailure(entry: Entry): Failure | undefined {
  if (!entry.only) return undefined;
  return { message: "test.only would hide every other test of the file: use test(...) (it ran, and passed)" };
}

/** Runs the hooks in order; the first error stops them and is returned. */
async function firstFailure(hooks: Callback[], state: State): Promise<Failure | undefined> {
  try {
    for (const hook of hooks) await hook(state);
    return undefined;
  } catch (e) {
    return failureOf(e);
  }
}

export function failureOf(e: unknown): Failure {
  if (!(e instanceof Error)) return { message: `threw a non-error: ${String(e)}` };
  const failure: Failure = { message: e.message || e.name };
  const firstLineEnd = e.stack?.indexOf("\n") ?? -1;
  if (e.stack && firstLineEnd >= 0) failure.stack = withoutLoopFrames(e.stack.slice(firstLineEnd + 1));
  const details = diffOf(e as Error & Record<string, unknown>);
  if (details) failure.details = details;
  return failure;
}

/** Frames of this loop and of Node's internals say nothing about the test. */
const LOOP_FRAME = /\(node:internal\/|\/scripts\/test\/(run-suite|child)\.ts:/;
const withoutLoopFrames = (stack: string) =>
  stack
    .split("\n")
    .filter((line) => !LOOP_FRAME.test(line))
    .join("\n");

/** uvu/assert carries its own diff; node:assert's errors get one as uvu would draw it. */
function diffOf(e: Error & Record<string, unknown>): string | undefined {
  if (typeof e.details === "string" && e.details) return e.details;
  const operator = typeof e.operator === "string" ? e.operator : "";
  if (e.name.startsWith("AssertionError") && !operator.includes("not")) return compare(e.actual, e.expected);
  return undefined;
}
