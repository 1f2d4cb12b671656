// Test support: a real JetStream server (Debian's `nats-server -js`, installed
// by `make nats-server`) on a free port with its store in a temp directory.
// Ready once it accepts a client connection — waited on, never slept on.
// `kill()` then `startNatsServer({ port, storeDir })` restarts it on the same
// port with the same store: what a crash and a supervisor's restart look like.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsInfo, natsServerBinary } from "../../platform/nats-supervisor.js";
import { freePort, until } from "../../platform/processes.testing.js";

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** Its output so far (stderr and stdout): what to print when something went wrong. */
  output(): string;
  /** SIGTERM, waits for it to exit, then removes the store (unless it was given). */
  stop(): Promise<void>;
  /** SIGKILL and waits for it: the store stays, for a restart. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((c) => c.kill("SIGKILL"))); // nothing left running, whatever happened

export async function startNatsServer(opts: { storeDir?: string; port?: number } = {}): Promise<NatsServer> {
  const ownStore = opts.storeDir === undefined;
  const storeDir = opts.storeDir ?? (await mkdtemp(join(tmpdir(), "nats-js-")));
  const port = opts.port ?? (await freePort());
  const child = spawn(natsServerBinary(), ["-js", "-sd", storeDir, "-a", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) => reject(new Error(`could not start nats-server (run \`make nats-server\` to install it): ${e.message}`))),
  );
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  const dead = () => child.exitCode !== null || child.signalCode !== null;
  try {
    await Promise.race([
      spawnError,
      until(
        `nats-server accepting connections on port ${port}`,
        async () => {
          if (dead()) throw new Error(`nats-server exited: ${output}`);
          return (await natsInfo(port))?.jetstream ? true : undefined;
        },
        20_000,
      ),
    ]);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  const halt = async (signal: NodeJS.Signals) => {
    if (!dead()) child.kill(signal);
    await exited;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    output: () => output,
    stop: async () => {
      await halt("SIGTERM");
      if (ownStore) await rm(storeDir, { recursive: true, force: true });
    },
    kill: () => halt("SIGKILL"),
  };
}
