// `make start`'s terminal: one short line per notable event, with the
// process's name (coloured on a TTY unless NO_COLOR is set) — ready and its
// URL, restarts, a crash with the first lines of its error, warnings and
// errors from the JSON logs (rate-limited) — while every line each process
// writes goes to <logs>/<process>.log (appended, a line marking each start),
// where `make logs` follows them.
import type { ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join, relative } from "node:path";
import type { Readable } from "node:stream";
import { atLeast, describe, errorLines, parseLogLine, scrub, type LogRecord } from "./log-line.js";
import { LineLimiter } from "./rate-limit.js";

export interface ConsoleOptions {
  /** Where the short lines go (make start: process.stdout). */
  terminal: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where <process>.log files go (created if missing). */
  logsDir: string;
  /** NO_COLOR set: no colour even on a TTY. */
  env: NodeJS.ProcessEnv;
  /** Warning/error lines shown per process per window; default 5 per 10 s. */
  perWindow?: number;
  windowMs?: number;
  now?: () => number;
}

export interface ProcessConsole {
  /** A line about the system itself ("itinera"). */
  say(line: string): void;
  /** A process was (re)started: its output goes to its log file, the notable lines to the terminal. */
  started(name: string, child: ChildProcess, restart: number): void;
  ready(name: string, url: string): void;
  /** A process exited on its own: how, then the first lines of its error. */
  exited(name: string, how: string, restartInMs: number): Promise<void>;
  /** Every JSON log record of every process, as it comes (the ingestion progress reads them). */
  onRecord(listener: (name: string, record: LogRecord) => void): void;
  /** The process's log file, as the terminal names it (relative to the working directory). */
  logFile(name: string): string;
  /** Tells what the rate limit held back and closes the log files. */
  close(): Promise<void>;
}

const NAME_WIDTH = 9;
const ERROR_LINES = 4;
const TAIL_LINES = 40;
const DRAIN_BOUND_MS = 1000;
/** ANSI colours the process names take in turn. */
const PALETTE = [36, 32, 35, 34, 33, 96, 92, 95, 94, 93, 91, 90];

interface Run {
  log: WriteStream;
  drained: Promise<void>;
  /** The last fatal record of this run, and the last lines of stderr that were not JSON. */
  fatal?: LogRecord;
  stderrTail: string[];
}

export function createConsole(opts: ConsoleOptions): ProcessConsole {
  const now = opts.now ?? Date.now;
  const colour = opts.terminal.isTTY === true && !opts.env.NO_COLOR;
  const paint = (code: number, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const colours = new Map<string, number>();
  const tag = (name: string) => {
    if (!colours.has(name)) colours.set(name, PALETTE[colours.size % PALETTE.length]!);
    return paint(colours.get(name)!, name.padEnd(NAME_WIDTH));
  };
  const write = (name: string, text: string) => opts.terminal.write(`${tag(name)} ${text}\n`);
  const logFile = (name: string) => displayPath(join(opts.logsDir, `${name}.log`));
  const limiter = new LineLimiter({ perWindow: opts.perWindow ?? 5, windowMs: opts.windowMs ?? 10_000, logFileOf: logFile });
  const listeners: ((name: string, r: LogRecord) => void)[] = [];
  const runs = new Map<string, Run>();
  mkdirSync(opts.logsDir, { recursive: true });

  const notable = (name: string, r: LogRecord) => {
    // A call that succeeded slowly is for the log file (the first ingestion makes every batch slow), not the
    // terminal; a fatal record is told with the exit it precedes (exited).
    if (!atLeast(r, "warn") || r.level === "fatal" || (r.fields.code === "OK" && r.fields.slow === true)) return;
    const kind = atLeast(r, "error") ? "error" : "warn";
    const { show, before } = limiter.admit(name, kind, now());
    if (before) write(name, before);
    if (show) write(name, `${paint(kind === "error" ? 31 : 33, r.level.padEnd(5))} ${describe(r)}`);
  };
  const flush = (at: number) => limiter.flush(at).forEach(({ name, line }) => write(name, line));
  const timer = setInterval(() => flush(now()), 1000).unref();

  const follow = (name: string, run: Run, stream: Readable | null, isStderr: boolean) =>
    new Promise<void>((resolve) => {
      if (!stream) return resolve();
      let partial = "";
      const line = (text: string) => {
        run.log.write(`${text}\n`);
        const record = parseLogLine(text);
        if (!record) {
          if (isStderr && text.trim()) run.stderrTail = [...run.stderrTail, text].slice(-TAIL_LINES);
          return;
        }
        if (record.level === "fatal") run.fatal = record;
        for (const l of listeners) l(name, record);
        notable(name, record);
      };
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop()!;
        parts.forEach(line);
      });
      stream.on("close", () => {
        if (partial) line(partial);
        resolve();
      });
    });

  return {
    say: (line) => write("itinera", line),
    started(name, child, restart) {
      const log = createWriteStream(join(opts.logsDir, `${name}.log`), { flags: "a" });
      log.on("error", (e) => write(name, `${paint(31, "cannot write its log")}: ${e.message}`));
      const marker = restart === 0 ? "started" : `restarted (restart ${restart})`;
      log.write(`${JSON.stringify({ level: 30, time: new Date(now()).toISOString(), name: "supervisor", msg: `${name} ${marker}`, pid: child.pid })}\n`);
      const run: Run = { log, drained: Promise.resolve(), stderrTail: [] };
      run.drained = Promise.all([follow(name, run, child.stdout, false), follow(name, run, child.stderr, true)]).then(() => {
        log.end();
      });
      runs.set(name, run);
      if (restart > 0) write(name, `restarted (pid ${child.pid})`);
    },
    ready: (name, url) => write(name, `ready  ${url}`),
    async exited(name, how, restartInMs) {
      const run = runs.get(name);
      // Its last lines (a fatal log, a stack trace) may still be in the pipes.
      if (run) await settled(run);
      write(name, `${paint(31, "exited")} (${how}); restarting in ${restartInMs} ms; full output in ${logFile(name)}`);
      for (const l of run ? crashLines(run) : []) write(name, `  ${paint(31, "│")} ${l}`);
    },
    onRecord: (listener) => void listeners.push(listener),
    logFile,
    async close() {
      clearInterval(timer);
      flush(Number.POSITIVE_INFINITY);
      await Promise.all([...runs.values()].map(settled));
    },
  };
}

/**
 * Once a run's output is read to the end — bounded: a process it started may
 * still hold its pipes open, and the terminal must not wait on that.
 */
const settled = (run: Run) => Promise.race([run.drained, new Promise<void>((r) => setTimeout(r, DRAIN_BOUND_MS).unref())]);

/** A path as the terminal names it: relative when under the working directory (.data/logs), else absolute. */
export function displayPath(path: string): string {
  const near = relative(process.cwd(), path);
  return near === "" || near.startsWith("..") ? path : near;
}

/** The first lines of what killed a run: its fatal log (message, then the error's first lines), else the error on stderr. */
function crashLines(run: Run): string[] {
  if (run.fatal) return [run.fatal.msg, ...errorLines(run.fatal.fields.err, ERROR_LINES - 1)].filter(Boolean).map(scrub);
  const tail = run.stderrTail;
  // Node prints the throwing line, a caret, then "TypeError: …" and the stack: start at the error's name.
  const at = tail.findIndex((l) => /^\s*(\w*Error|\w+Exception)\b/.test(l));
  return tail.slice(at >= 0 ? at : Math.max(0, tail.length - ERROR_LINES)).slice(0, ERROR_LINES).map((l) => scrub(l.trim()));
}
