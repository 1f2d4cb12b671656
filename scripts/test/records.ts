// The channel between a test process and the runner: one JSON line per test
// result, appended synchronously (so a process.exit cannot lose what was
// already written) to a file the runner names in TEST_RESULTS_FILE. The runner
// counts these records only; it never reads counts out of a file's stdout.
import { appendFileSync, readFileSync } from "node:fs";

export const RESULTS_FILE_ENV = "TEST_RESULTS_FILE";

export interface Failure {
  message: string;
  /** The stack without its first line (the message), when there is one. */
  stack?: string;
  /** An assertion's expected/actual diff. */
  details?: string;
}

export type TestRecord =
  | { kind: "test"; suite: string; name: string; status: "pass"; ms: number }
  | { kind: "test"; suite: string; name: string; status: "fail"; ms: number; failure: Failure }
  | { kind: "test"; suite: string; name: string; status: "skip"; reason: string }
  /** Something wrong with the file rather than one test: it counts as one failure. */
  | { kind: "problem"; failure: Failure }
  /** Written once every queued suite has run: a file without it ended early. */
  | { kind: "done" };

export type Recorder = (record: TestRecord) => void;

export function recorderTo(path: string): Recorder {
  return (record) => appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/** The records a test process wrote; none when it never wrote one (it crashed first). */
export function readRecords(path: string): TestRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line): TestRecord => {
      try {
        return JSON.parse(line) as TestRecord;
      } catch {
        // Only a process killed in the middle of a write leaves half a line.
        return { kind: "problem", failure: { message: `an unreadable result line: ${line.slice(0, 200)}` } };
      }
    });
}
