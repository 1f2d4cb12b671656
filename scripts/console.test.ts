// make start's supervisor with its console (scripts/console/console.ts), over
// the real processes on the test database: the terminal stays quiet — no JSON
// line, a ready line with the URL of every process, a killed process told and
// told ready again — while every process's output lands in <data>/logs, and
// the ingestion progress read from those logs reaches the inventory's totals.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startMarketplace, type Marketplace } from "../e2e/marketplace.fixture.js";
import { until } from "../platform/processes.testing.js";
import { createConsole, type ProcessConsole } from "./console/console.js";
import { IngestionProgress, ingestionTotals } from "./console/ingestion-progress.js";
import type { LogRecord } from "./console/log-line.js";
import { ingestionDone } from "./demo.js";

const dir = mkdtempSync(join(tmpdir(), "itinera-start-"));
const logs = join(dir, "logs");
let m: Marketplace;
let terminal: ProcessConsole;
let printed = "";
const records: [string, LogRecord][] = [];
const lines = () => printed.split("\n").filter(Boolean);
const startedAt = Date.now();

test.before(async () => {
  const out = new PassThrough();
  out.setEncoding("utf8").on("data", (c: string) => (printed += c));
  terminal = createConsole({ terminal: out, logsDir: logs, env: {} });
  terminal.onRecord((name, r) => records.push([name, r]));
  // Info, as make start runs: every process writes its lines.
  m = await startMarketplace({ LOG_LEVEL: "info" }, { stdio: terminal });
});

test.after(async () => {
  await m?.close();
  await terminal?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the terminal shows a ready line with the URL of every process and no JSON; every process's JSON log is in logs/<process>.log", async () => {
  for (const s of m.system.specs) assert.ok(lines().includes(`${s.name.padEnd(9)} ready  ${m.system.url(s.name)}`), `${s.name}'s ready line:\n${printed}`);
  assert.ok(lines().every((l) => !l.trimStart().startsWith("{")), printed);
  for (const s of m.system.specs) {
    const own = await until(`a JSON line of ${s.name}'s own in its log`, () => {
      const json = readFileSync(join(logs, `${s.name}.log`), "utf8").split("\n").filter((l) => l.startsWith("{"));
      return json.find((l) => !l.includes('"name":"supervisor"'));
    });
    assert.ok(JSON.parse(own).msg, own);
  }
});

test("a killed process is told with how it ended, its restart, and ready again; its log marks both starts", async () => {
  await m.system.kill("mailer", "SIGKILL");
  const url = m.system.url("mailer");
  await until("the mailer ready again on the terminal", () => (lines().filter((l) => l === `mailer    ready  ${url}`).length === 2 ? true : undefined), 60_000);
  const told = lines().filter((l) => l.startsWith("mailer "));
  assert.ok(told.some((l) => /^mailer {4}exited \(SIGKILL\); restarting in \d+ ms; full output in .*mailer\.log$/.test(l)), told.join("\n"));
  assert.ok(told.some((l) => /^mailer {4}restarted \(pid \d+\)$/.test(l)), told.join("\n"));
  const marks = readFileSync(join(logs, "mailer.log"), "utf8").split("\n").filter((l) => l.includes('"name":"supervisor"'));
  assert.equal(marks.map((l) => JSON.parse(l).msg), ["mailer started", "mailer restarted (restart 1)"]);
});

test("the ingestion progress, read from the logs, reaches the totals of the sandbox's inventory", async () => {
  const progress = new IngestionProgress(ingestionTotals(m.env));
  let seen = 0;
  const read = () => {
    for (; seen < records.length; seen++) progress.record(...records[seen]!);
    return progress.line();
  };
  assert.ok(await ingestionDone({ sellersUrl: m.system.url("sellers"), identityUrl: m.system.url("identity"), env: m.env, since: startedAt, signal: new AbortController().signal, timeoutMs: 120_000 }));
  const { hotelRates, flights } = ingestionTotals(m.env);
  const done = `hotel rates ${hotelRates.toLocaleString("en")} of ${hotelRates.toLocaleString("en")} (100 %`;
  const line = await until("the progress at the totals", () => {
    const l = read();
    return l.includes(done) && l.includes(`flights ${flights.toLocaleString("en")} of`) ? l : undefined;
  });
  assert.match(line, new RegExp(`flights ${flights.toLocaleString("en")} of ${flights.toLocaleString("en")}$`));
});

test.run();
