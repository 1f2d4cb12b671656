// make start's console, piece by piece: a log line told as one short line
// (whitelisted fields only), the rate limit under a storm of warnings, and a
// crashing process (real child processes) told by the first lines of its error
// while its whole output lands in its log file.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createConsole } from "./console.js";
import { IngestionProgress } from "./ingestion-progress.js";
import { describe, parseLogLine, type LogRecord } from "./log-line.js";
import { LineLimiter } from "./rate-limit.js";

const dir = mkdtempSync(join(tmpdir(), "itinera-console-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A console writing to a captured stream, with a clock the test moves. */
function captured(env: NodeJS.ProcessEnv = {}, isTTY = false) {
  const out = new PassThrough();
  let text = "";
  out.setEncoding("utf8").on("data", (c: string) => (text += c));
  const clock = { now: 0 };
  const terminal = Object.assign(out, { isTTY });
  const console = createConsole({ terminal, logsDir: dir, env, now: () => clock.now });
  return { console, clock, lines: () => text.split("\n").filter(Boolean) };
}

test("a warning is one line: its message, the method and whitelisted fields — never e-mails, names or tokens", () => {
  const line = JSON.stringify({
    level: "warn", time: "2026-12-07T09:00:00.000Z", service: "booking", procedure: "/itinera.booking.v1.BookingService/StartBooking",
    code: "UNAVAILABLE", seller: "casa", email: "ann@example.com", name: "Ann Smith", token: "eyJhbGciOi", customer_id: "c-1",
    err: { type: "Error", message: "seller refused ann@example.com", stack: "Error: seller refused\n    at x (y.ts:1:1)" },
    msg: "seller booking failed",
  });
  const r = parseLogLine(line)!;
  assert.is(r.level, "warn");
  const text = describe(r);
  assert.is(text, "seller booking failed StartBooking seller=casa code=UNAVAILABLE — seller refused [e-mail]");
  for (const secret of ["ann@example.com", "Ann", "eyJ", "c-1"]) assert.not.ok(text.includes(secret), `"${secret}" shown`);
});

test("the sandbox's numeric levels are read; a line that is not JSON is not a record", () => {
  assert.is(parseLogLine(JSON.stringify({ level: 50, time: 1796634500000, name: "sandbox-casa", msg: "boom" }))?.level, "error");
  assert.is(parseLogLine("    at Object.<anonymous> (file.ts:1:1)"), undefined);
  assert.is(parseLogLine("{not json"), undefined);
  assert.is(parseLogLine(JSON.stringify({ level: "loud", msg: "x" })), undefined);
});

test("a storm of 1,000 warnings from one process: 5 lines, then one summary saying how many more and where they are", () => {
  const limiter = new LineLimiter({ perWindow: 5, windowMs: 10_000, logFileOf: (n) => `.data/logs/${n}.log` });
  const shown = Array.from({ length: 1000 }, (_, i) => limiter.admit("pricing", "warn", i)).filter((a) => a.show);
  assert.is(shown.length, 5);
  assert.equal(limiter.flush(9_999), [], "the window is not over yet");
  assert.equal(limiter.flush(10_000), [{ name: "pricing", line: "… 995 more warnings in 10 s, see .data/logs/pricing.log" }]);
  assert.equal(limiter.flush(30_000), [], "told once");
  // Another process has its own allowance; a new window shows lines again.
  assert.ok(limiter.admit("sellers", "error", 30_000).show);
  assert.ok(limiter.admit("pricing", "warn", 30_000).show);
});

test("the console prints the storm's lines and summary itself (not slow successful calls); nothing it prints is JSON; no colour without a TTY", async () => {
  const { console, clock, lines } = captured();
  const slow = JSON.stringify({ level: "warn", time: 0, procedure: "/itinera.pricing.v1.PricingService/IngestHotelRates", code: "OK", slow: true, msg: "rpc finished" });
  const child = spawn(process.execPath, ["-e", `console.log(${JSON.stringify(slow)}); for (let i = 0; i < 1000; i++) console.log(JSON.stringify({ level: 40, time: Date.now(), msg: "queue is deep", topic: "booking.reservations" }))`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  console.started("pricing", child, 0);
  await new Promise((r) => child.once("close", r));
  clock.now = 10_000;
  await console.close();
  const out = lines();
  assert.is(out.length, 6, out.join("\n"));
  assert.ok(out.slice(0, 5).every((l) => l === "pricing   warn  queue is deep topic=booking.reservations"), out[0]);
  assert.match(out[5]!, /^pricing {3}… 995 more warnings in 10 s, see .*pricing\.log$/);
  assert.ok(out.every((l) => !l.startsWith("{") && !l.includes("\x1b[")));
  const logged = readFileSync(join(dir, "pricing.log"), "utf8").split("\n").filter(Boolean);
  assert.is(logged.length, 1002, "every line in the log file, after the line marking the start");
  assert.match(logged[0]!, /"msg":"pricing started"/);
});

test("a process's name is coloured on a TTY, and not when NO_COLOR is set", () => {
  const tty = captured({}, true);
  tty.console.say("hello");
  assert.match(tty.lines()[0]!, /^\x1b\[\d+mitinera {2}\x1b\[0m hello$/);
  const plain = captured({ NO_COLOR: "1" }, true);
  plain.console.say("hello");
  assert.is(plain.lines()[0], "itinera   hello");
});

test("a crash is told with the first lines of its error: a fatal log's message and stack top, or Node's uncaught error", async () => {
  const { console, lines } = captured();
  const stack = ["Error: the database refused the connection", ...Array.from({ length: 20 }, (_, i) => `    at frame${i} (file.ts:${i}:1)`)].join("\n");
  const fatal = JSON.stringify({ level: "fatal", time: new Date().toISOString(), service: "wallet", err: { type: "Error", message: "refused", stack }, msg: "wallet could not start" });
  const logged = spawn(process.execPath, ["-e", `console.log(${JSON.stringify(fatal)}); process.exit(1)`], { stdio: ["ignore", "pipe", "pipe"] });
  console.started("wallet", logged, 0);
  await new Promise((r) => logged.once("exit", r));
  await console.exited("wallet", "code 1", 500);

  const thrown = spawn(process.execPath, ["-e", `const x = 1;\nthrow new TypeError("cannot read the seller's id")`], { stdio: ["ignore", "pipe", "pipe"] });
  console.started("sellers", thrown, 0);
  await new Promise((r) => thrown.once("exit", r));
  await console.exited("sellers", "code 1", 1000);

  const out = lines();
  assert.equal(out.slice(0, 5), [
    `wallet    exited (code 1); restarting in 500 ms; full output in ${console.logFile("wallet")}`,
    "wallet      │ wallet could not start",
    "wallet      │ Error: the database refused the connection",
    "wallet      │ at frame0 (file.ts:0:1)",
    "wallet      │ at frame1 (file.ts:1:1)",
  ]);
  assert.is(out[5], `sellers   exited (code 1); restarting in 1000 ms; full output in ${console.logFile("sellers")}`);
  assert.is(out[6], "sellers     │ TypeError: cannot read the seller's id");
  assert.ok(out.length <= 10, "the first lines only, not the whole stack");
  assert.match(readFileSync(join(dir, "sellers.log"), "utf8"), /TypeError: cannot read the seller's id\n\s+at /);
  await console.close();
});

test("the ingestion progress counts casa's rates from pricing's records, at the rate since the first batch, and skylark's flights once synced", () => {
  const p = new IngestionProgress({ hotelRates: 720_000, flights: 77_040 });
  const record = (msg: string, fields: Record<string, unknown>, time: number): LogRecord => ({ level: "info", time, msg, fields: { msg, ...fields } });
  assert.is(p.line(), "ingestion: hotel rates 0 of 720,000 (0 %), flights arriving (77,040 expected)");
  p.record("pricing", record("hotel rates ingested", { seller_id: "casa", rates: 10_000 }, 0));
  p.record("pricing", record("hotel rates ingested", { seller_id: "wanderly", rates: 7_200 }, 500)); // pushed, not in the pull's total
  p.record("pricing", record("rpc finished", { seller_id: "casa", rates: 1 }, 600));
  p.record("pricing", record("hotel rates ingested", { seller_id: "casa", rates: 300_000 }, 10_000));
  assert.is(p.line(), "ingestion: hotel rates 310,000 of 720,000 (43 %, 30,000/s), flights arriving (77,040 expected)");
  p.record("sellers", record("seller synced", { seller: "skylark", flights: 77_040 }, 11_000));
  assert.is(p.line(), "ingestion: hotel rates 310,000 of 720,000 (43 %, 30,000/s), flights 77,040 of 77,040");
});

test("the ingestion progress tells a second start's pulls truthfully: unchanged sellers, and pages kept as the last pull wrote them", () => {
  const record = (fields: Record<string, unknown>): LogRecord => ({ level: "info", time: 0, msg: "seller synced", fields: { msg: "seller synced", ...fields } });
  const same = new IngestionProgress({ hotelRates: 720_000, flights: 77_040 });
  same.record("sellers", record({ seller: "casa", unchanged: true, rates: 0, kept: { hotels: 0, flights: 0, rates: 0 } }));
  same.record("sellers", record({ seller: "skylark", unchanged: true, flights: 0, kept: { hotels: 0, flights: 0, rates: 0 } }));
  assert.is(same.line(), "ingestion: hotel rates unchanged since the last pull, flights unchanged since the last pull");
  const changed = new IngestionProgress({ hotelRates: 720_000, flights: 77_040 });
  changed.record("pricing", { level: "info", time: 0, msg: "hotel rates ingested", fields: { seller_id: "casa", rates: 18_000 } });
  changed.record("sellers", record({ seller: "casa", unchanged: false, rates: 18_000, kept: { hotels: 1_900, flights: 0, rates: 702_000 } }));
  changed.record("sellers", record({ seller: "skylark", unchanged: false, flights: 2_700, kept: { hotels: 0, flights: 74_340, rates: 0 } }));
  assert.is(changed.line(), "ingestion: hotel rates 720,000 of 720,000 (100 %, 702,000 unchanged), flights 77,040 of 77,040");
});

test.run();
