// `make start`: the whole marketplace on this machine (scripts/system.ts),
// the web app built first when its sources changed, the demo customer seeded
// through the real APIs (scripts/demo.ts), until Ctrl-C.
//
// Ctrl-C in a terminal signals the whole foreground process group: every
// service and PostgreSQL would begin stopping at once, under the supervisor's
// ordered shutdown (services drain, then the database stops). So this process
// runs the supervisor in a process group of its own and only forwards signals;
// the supervisor stops by itself when this process goes away (even kill -9).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_CARDS } from "../sandbox/gateway-ledger.js";
import { formatMoney } from "../platform/money.js";
import { createConsole, displayPath, type ProcessConsole } from "./console/console.js";
import { IngestionProgress, ingestionTotals } from "./console/ingestion-progress.js";
import { DEMO, DEMO_OPERATOR, ingestionDone, seedDemo, seedOperator } from "./demo.js";
import { startSystem } from "./system.js";

const ROOT = new URL("..", import.meta.url).pathname;
const DATA_DIR = resolve(ROOT, process.env.ITINERA_DATA_DIR ?? ".data");
/** How often the ingestion's progress is told while it runs. */
const PROGRESS_EVERY_MS = 5_000;
/** When `make start` started this: the time to ready includes loading the code. */
const started = Number(process.env.ITINERA_STARTED_AT ?? Math.round(performance.timeOrigin));
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs `make web` when web/dist is missing or older than the app's sources (make's own rule says which). */
function buildWebApp(say: (line: string) => void) {
  if (!existsSync(join(ROOT, "web")) || !/^web:/m.test(readFileSync(join(ROOT, "Makefile"), "utf8"))) {
    say("no web app in this checkout yet (web/ or `make web` missing): starting the services only");
    return;
  }
  // `make -q` only asks: 0 when web/dist is up to date.
  if (spawnSync("make", ["-q", "web"], { cwd: ROOT, stdio: "ignore" }).status === 0) return;
  say("building the web app (make web)");
  const t = Date.now();
  const make = spawnSync("make", ["--no-print-directory", "web"], { cwd: ROOT, stdio: "inherit" });
  if (make.status !== 0) throw new Error("the web app did not build (make web failed; its output is above)");
  say(`web app built in ${seconds(t)}`);
}

async function main(terminal: ProcessConsole) {
  const say = terminal.say;
  buildWebApp(say);
  // Counted from the first record: a second start's sellers may have pulled (nothing changed) before the system is ready.
  const progress = new IngestionProgress(ingestionTotals(process.env));
  terminal.onRecord((name, record) => progress.record(name, record));
  const system = await startSystem({
    env: process.env,
    dataDir: join(DATA_DIR, "pg"),
    pgPort: Number(process.env.PG_PORT ?? 54329),
    // BUS=nats (and no NATS_URL): the local JetStream server's store and port.
    nats: { storeDir: join(DATA_DIR, "nats"), port: Number(process.env.NATS_PORT ?? 4222) },
    say,
    stdio: terminal,
  });
  const background = new AbortController();
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    background.abort();
    say("stopping");
    await system.stop();
    say("stopped");
    await terminal.close();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown());
  process.on("disconnect", () => void shutdown()); // the launcher is gone

  const has = (name: string) => system.specs.some((s) => s.name === name);
  const seeding = { identityUrl: system.url("identity"), walletUrl: system.url("wallet"), inboxUrl: system.url("smtp"), env: process.env };
  const demo = await seedDemo(seeding).catch((e: unknown) => {
    say(`the demo customer could not be set up: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  const operator = await seedOperator(seeding).catch((e: unknown) => {
    say(`the demo operator could not be set up: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });

  say(`ready in ${seconds(started)}; every process's full log is in ${displayPath(join(DATA_DIR, "logs"))} (make logs follows them)`);
  if (has("web")) say(`open ${system.url("web")} in a browser`);
  else say(`no web service in this checkout yet; search answers on ${system.url("search")} (see README.md, "Try it")`);
  if (demo) {
    const state = demo.created ? "new" : "from a previous start";
    say(`demo sign-in: ${DEMO.email} / ${DEMO.password} (${state}; wallet ${formatMoney(demo.availableMinor, DEMO.currency)})`);
  }
  if (operator && has("web")) say(`operator sign-in: ${DEMO_OPERATOR.email} / ${DEMO_OPERATOR.password} (the Operator page: ${system.url("web")}/operator)`);
  if (has("smtp")) say(`e-mails sent (invoices, cancellations): ${system.url("smtp")}`);
  if (has("gateway")) {
    say("test cards at the payment page (any expiry, CVC and name):");
    for (const c of TEST_CARDS) say(`  ${c.number}  ${c.what}`);
  }
  say("Ctrl-C stops everything; a service that crashes is restarted");
  if (has("sellers")) {
    say("inventory keeps arriving in the background: the sellers are ingesting the demo inventory; prices fill in as it lands");
    const ticker = setInterval(() => say(progress.line()), PROGRESS_EVERY_MS);
    background.signal.addEventListener("abort", () => clearInterval(ticker));
    // Every sync recorded after this start counts (the sellers pull at start, also on a second start).
    void ingestionDone({ sellersUrl: system.url("sellers"), identityUrl: system.url("identity"), env: process.env, since: started, signal: background.signal }).then((done) => {
      clearInterval(ticker);
      if (done) {
        say(progress.line());
        say(`prices in after ${seconds(started)}: every seller synced`);
      } else if (!background.signal.aborted) say(`the sellers have not finished their first sync yet (${progress.line()}); see ${terminal.logFile("sellers")}`);
    });
  }
}

/** Runs this file again as the supervisor, in its own process group, and forwards signals to it. */
function launch() {
  const supervisor = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, ITINERA_SUPERVISOR: "1", ITINERA_STARTED_AT: String(started) },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => supervisor.kill(signal));
  supervisor.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}

if (!process.env.ITINERA_SUPERVISOR) launch();
else {
  // The terminal tells what matters, one short line each; every process's full output is in DATA_DIR/logs (make logs).
  const terminal = createConsole({ terminal: process.stdout, logsDir: join(DATA_DIR, "logs"), env: process.env });
  main(terminal).catch((e: unknown) => {
    terminal.say(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
