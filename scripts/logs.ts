// `make logs [SERVICE=pricing]`: follows every process's log in
// $ITINERA_DATA_DIR/logs (default .data/logs; make start writes them),
// pretty-printed — time, process, level, message, a few key fields: the
// last lines of each, then new lines as they come, like `tail -F` (a log
// that appears later, or starts over, is followed too). Ctrl-C stops it.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, parseLogLine } from "./console/log-line.js";

const ROOT = new URL("..", import.meta.url).pathname;
const DIR = join(resolve(ROOT, process.env.ITINERA_DATA_DIR ?? ".data"), "logs");
const ONLY = process.env.SERVICE || undefined;
/** How much of each log's past is shown before following it. */
const BACKLOG_BYTES = 4 * 1024;
const POLL_MS = 250;
const COLOUR = process.stdout.isTTY === true && !process.env.NO_COLOR;
const LEVEL_COLOURS: Record<string, number> = { warn: 33, error: 31, fatal: 31 };

/** One line as a person reads it; a line that is not JSON (a stack trace) as it is. */
function pretty(name: string, line: string, r = parseLogLine(line)): string {
  if (!r) return `${" ".repeat(12)} ${name.padEnd(9)} ${line}`;
  const level = r.level.padEnd(5);
  const code = LEVEL_COLOURS[r.level];
  return `${new Date(r.time).toISOString().slice(11, 23)} ${name.padEnd(9)} ${COLOUR && code ? `\x1b[${code}m${level}\x1b[0m` : level} ${describe(r)}`;
}

interface Followed {
  offset: number;
  partial: string;
  /** The first line read is cut (the backlog starts mid-file): dropped. */
  cut: boolean;
}

interface Line {
  name: string;
  text: string;
  /** Its record's time; a line that is not JSON takes the time of the line before it, to stay beside it. */
  time: number;
  record: ReturnType<typeof parseLogLine>;
}

/** The lines appended to `name`'s log since the last read. */
function readNew(name: string, f: Followed): Line[] {
  const file = join(DIR, `${name}.log`);
  const size = statSync(file).size;
  if (size < f.offset) Object.assign(f, { offset: 0, partial: "", cut: false }); // started over
  if (size === f.offset) return [];
  const buf = Buffer.alloc(size - f.offset);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, f.offset);
  } finally {
    closeSync(fd);
  }
  f.offset = size;
  const lines = (f.partial + buf.toString("utf8")).split("\n");
  f.partial = lines.pop()!;
  if (f.cut) lines.shift();
  f.cut = false;
  let time = 0;
  return lines
    .filter((text) => text.trim())
    .map((text) => {
      const record = parseLogLine(text);
      time = record?.time ?? time;
      return { name, text, time, record };
    });
}

async function main() {
  if (ONLY && !/^[a-z][a-z-]*$/.test(ONLY)) throw new Error(`SERVICE must be a process name such as pricing, got "${ONLY}"`);
  process.stdout.write(`following ${ONLY ? join(DIR, `${ONLY}.log`) : join(DIR, "*.log")} (Ctrl-C stops)\n`);
  const followed = new Map<string, Followed>();
  for (let first = true; ; first = false) {
    const names = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".log")).map((f) => f.slice(0, -".log".length)) : [];
    const read: Line[] = [];
    for (const name of names.filter((n) => !ONLY || n === ONLY)) {
      if (!followed.has(name)) {
        // A log there from the start shows its last lines; one that appears later, all of it.
        const offset = first ? Math.max(0, statSync(join(DIR, `${name}.log`)).size - BACKLOG_BYTES) : 0;
        followed.set(name, { offset, partial: "", cut: offset > 0 });
      }
      read.push(...readNew(name, followed.get(name)!));
    }
    // The processes' lines interleaved in time (a stable sort keeps each file's order among equals).
    for (const l of read.sort((a, b) => a.time - b.time)) process.stdout.write(`${pretty(l.name, l.text, l.record)}\n`);
    await sleep(POLL_MS);
  }
}

process.on("SIGINT", () => process.exit(0));
main().catch((e: unknown) => {
  process.stderr.write(`make logs: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
