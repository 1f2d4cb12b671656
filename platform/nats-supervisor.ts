// The local JetStream server of `make start BUS=nats` under the supervisor
// (scripts/system.ts), as platform/embedded-postgres-supervisor.ts keeps the
// embedded PostgreSQL: Debian's nats-server on 127.0.0.1 with its store in
// the data directory; when it dies (SIGKILL, the OOM killer) it is started
// again on the same store with the services' backoff, and JetStream recovers
// its streams and consumers from that store. Services reconnect by
// themselves (the NATS client retries for ever). A server that already
// answers on the port is another process's to keep up.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { nextRestart } from "./supervised.js";

export interface SupervisedNats {
  /** nats://127.0.0.1:port */
  url: string;
  /** The running server's pid: undefined while it is restarting, or when another process started it. */
  pid(): number | undefined;
  /** Sends a signal to the server (chaos tests: SIGKILL); resolves once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** How many times it died and was started again. */
  restarts(): number;
  /** Stops watching, then stops the server if this process started it. */
  stop(): Promise<void>;
}

export interface SuperviseNatsOptions {
  /** JetStream's store directory (created if missing). */
  storeDir: string;
  port: number;
  /** Lines about the server's deaths and restarts, for the person running the system. */
  say: (line: string) => void;
  /** Where the server's own log lines are appended (make start: its log file); default nowhere. */
  logFile?: string;
  /** How long a start may take before it counts as failed; default 30 s. */
  startTimeoutMs?: number;
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const SEARCHED = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"];

/** The nats-server executable: on PATH, or where Debian puts it. */
export function natsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter(Boolean), ...SEARCHED];
  for (const dir of dirs) {
    const file = join(dir, "nats-server");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  throw new Error("nats-server is not installed (BUS=nats runs a local JetStream server): apt-get install -y nats-server");
}

/** Resolves with the server's INFO when a NATS server with JetStream answers on the port, undefined when nothing does. */
export function natsInfo(port: number, timeoutMs = 2000): Promise<{ jetstream?: boolean } | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    const done = (info: { jetstream?: boolean } | undefined) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on("error", () => done(undefined));
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\r\n");
      if (end < 0) return;
      const line = text.slice(0, end);
      if (!line.startsWith("INFO ")) return done(undefined);
      try {
        done(JSON.parse(line.slice(5)) as { jetstream?: boolean });
      } catch {
        done(undefined);
      }
    });
  });
}

async function startNats(opts: SuperviseNatsOptions, log: WriteStream | undefined): Promise<Running> {
  mkdirSync(opts.storeDir, { recursive: true });
  const child = spawn(natsServerBinary(), ["-js", "-sd", opts.storeDir, "-p", String(opts.port), "-a", "127.0.0.1"], {
    stdio: ["ignore", log ? "pipe" : "ignore", log ? "pipe" : "ignore"],
  });
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline && !gone) {
    if ((await natsInfo(opts.port))?.jetstream) return { child, exited };
    await sleep(100);
  }
  if (!gone) {
    child.kill("SIGKILL");
    await exited;
    throw new Error(`nats-server did not answer with JetStream on 127.0.0.1:${opts.port} within ${(opts.startTimeoutMs ?? 30_000) / 1000} s`);
  }
  const exit = await exited;
  throw new Error(`nats-server exited while starting on port ${opts.port} (${exit.signal ?? `code ${exit.code}`})${log ? `; its log: ${opts.logFile}` : ""}`);
}

export async function superviseNats(opts: SuperviseNatsOptions): Promise<SupervisedNats> {
  const url = `nats://127.0.0.1:${opts.port}`;
  if (await natsInfo(opts.port)) {
    opts.say(`NATS on port ${opts.port} was already running (another process started it): that process restarts it, not this one`);
    const notOurs = async () => {
      throw new Error(`the NATS server on port ${opts.port} was started by another process: signal that one`);
    };
    return { url, pid: () => undefined, kill: notOurs, restarts: () => 0, stop: async () => {} };
  }
  if (opts.logFile) mkdirSync(join(opts.logFile, ".."), { recursive: true });
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  const stopped = new AbortController();
  let current: Running | undefined = await startNats(opts, log);
  let restarts = 0;
  let recovering = Promise.resolve();

  const restart = async (exit: { code: number | null; signal: NodeJS.Signals | null }, upMs: number, inARow: number) => {
    const diedAt = Date.now();
    let next = nextRestart(inARow, upMs);
    opts.say(`NATS died (${exit.signal ?? `code ${exit.code}`}); restarting in ${next.delayMs} ms`);
    for (;;) {
      await sleep(next.delayMs, undefined, { signal: stopped.signal }).catch(() => {});
      if (stopped.signal.aborted) return;
      try {
        current = await startNats(opts, log);
      } catch (e) {
        next = nextRestart(next.restarts, 0);
        opts.say(`NATS did not start again (${e instanceof Error ? e.message : String(e)}); retrying in ${next.delayMs} ms`);
        continue;
      }
      restarts++;
      opts.say(`NATS is back after ${((Date.now() - diedAt) / 1000).toFixed(1)} s`);
      watch(current, next.restarts);
      return;
    }
  };
  const watch = (running: Running, inARow: number) => {
    const startedAt = Date.now();
    void running.exited.then((exit) => {
      if (stopped.signal.aborted) return;
      current = undefined;
      recovering = restart(exit, Date.now() - startedAt, inARow);
    });
  };
  watch(current, 0);

  return {
    url,
    pid: () => current?.child.pid,
    async kill(signal) {
      const running = current;
      if (!running) throw new Error("NATS is not running (it is being restarted): wait for it to be back");
      running.child.kill(signal);
      await running.exited;
    },
    restarts: () => restarts,
    async stop() {
      stopped.abort();
      await recovering;
      const running = current;
      current = undefined;
      if (running) {
        // SIGTERM: nats-server flushes its store and exits ("lame duck" is for clusters).
        running.child.kill("SIGTERM");
        const timer = setTimeout(() => running.child.kill("SIGKILL"), 10_000);
        await running.exited;
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
    },
  };
}
