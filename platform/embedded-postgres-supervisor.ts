// The embedded PostgreSQL under a supervisor (make start, scripts/system.ts):
// when its postmaster dies (SIGKILL, the OOM killer) it is started again on
// the same data directory with the services' backoff, and PostgreSQL's own
// crash recovery replays the WAL on that start. A postmaster killed with
// SIGKILL leaves its postmaster.pid behind, which PostgreSQL ignores once
// that process is gone, and backends that exit as soon as they notice their
// postmaster died; until they have, a start fails on the shared memory they
// still hold ("pre-existing shared memory block … is still in use") and is
// retried. A server another process started (its port already answered) is
// that process's to keep up.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { ensureEmbeddedPostgres, startEmbeddedPostgres, type PostgresExit, type StartedPostgres } from "./embedded-postgres.js";
import { nextRestart } from "./supervised.js";

export interface SupervisedPostgres {
  /** postgres://postgres:…@127.0.0.1:port/postgres */
  url: string;
  /** The running postmaster's pid: undefined while it is restarting, or when another process started the server. */
  pid(): number | undefined;
  /** Sends a signal to the postmaster (chaos tests: SIGKILL); resolves once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** How many times it died and was started again. */
  restarts(): number;
  /** Stops watching, then stops the server if this process started it. */
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  dataDir: string;
  port: number;
  /** Lines about the server's deaths and restarts, for the person running the system. */
  say: (line: string) => void;
  log: Logger;
}

export async function superviseEmbeddedPostgres(opts: SuperviseOptions): Promise<SupervisedPostgres> {
  const first = await ensureEmbeddedPostgres(opts);
  if (!first.startedHere) {
    opts.say(`PostgreSQL on port ${opts.port} was already running (another process started it): that process restarts it, not this one`);
    const notOurs = async () => {
      throw new Error(`the PostgreSQL on port ${opts.port} was started by another process: signal that one`);
    };
    return { url: first.url, pid: () => undefined, kill: notOurs, restarts: () => 0, stop: first.stop };
  }
  const stopped = new AbortController();
  let current: StartedPostgres | undefined = first;
  let restarts = 0;
  let recovering = Promise.resolve();

  const restart = async (exit: PostgresExit, upMs: number, inARow: number) => {
    const diedAt = Date.now();
    let next = nextRestart(inARow, upMs);
    opts.say(`PostgreSQL died (${exit.signal ?? `code ${exit.code}`}); restarting in ${next.delayMs} ms`);
    for (;;) {
      await sleep(next.delayMs, undefined, { signal: stopped.signal }).catch(() => {});
      if (stopped.signal.aborted) return;
      try {
        current = await startEmbeddedPostgres({
          dataDir: opts.dataDir,
          port: opts.port,
          onLog: (line) => opts.log.debug({ postgres: line }, "embedded PostgreSQL"),
        });
      } catch (e) {
        next = nextRestart(next.restarts, 0);
        opts.say(`PostgreSQL did not start again (${e instanceof Error ? e.message : String(e)}); retrying in ${next.delayMs} ms`);
        continue;
      }
      restarts++;
      opts.say(`PostgreSQL is back after ${((Date.now() - diedAt) / 1000).toFixed(1)} s`);
      watch(current, next.restarts);
      return;
    }
  };
  const watch = (running: StartedPostgres, inARow: number) => {
    const startedAt = Date.now();
    void running.exited.then((exit) => {
      if (stopped.signal.aborted) return;
      current = undefined;
      recovering = restart(exit, Date.now() - startedAt, inARow);
    });
  };
  watch(first, 0);

  return {
    url: first.url,
    pid: () => current?.pid,
    async kill(signal) {
      const running = current;
      if (!running) throw new Error("PostgreSQL is not running (it is being restarted): wait for it to be back");
      process.kill(running.pid, signal);
      await running.exited;
    },
    restarts: () => restarts,
    async stop() {
      stopped.abort();
      await recovering;
      await current?.stop();
      current = undefined;
    },
  };
}
