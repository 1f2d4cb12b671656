// Test support for tests that run a service as the real process it is
// (`node dist/services/<name>/main.js` under make test, else through tsx): a free port, polling until
// something holds, and a child process whose output the test can read and
// which is killed whatever happens to the test.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { builtEntry, entryArgs } from "./run-mode.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A port nothing listens on now (bound and released on 127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it returns something other than undefined; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface TestProcess {
  child: ChildProcess;
  /** Its stdout, line by line, as written so far. */
  lines: string[];
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) once its output is closed. */
  exited: Promise<number | null>;
  /** SIGKILL if it still runs, then waits for it. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on("exit", () => children.forEach((c) => c.kill("SIGKILL"))); // whatever happened, nothing is left running

/**
 * Starts `entry` (a .ts path from the repository root) with `args` from the repository root, with `env` over this
 * process's environment, as the supervisor would: with ITINERA_RUN=dist (make test, which builds first) a
 * process's entry runs from the production build with plain node (a third of tsx's CPU per start); an entry the
 * build does not compile (a test fixture) runs through tsx.
 */
export function startProcess(entry: string, env: Record<string, string>, args: string[] = []): TestProcess {
  const mode = process.env.ITINERA_RUN === "dist" && existsSync(join(ROOT, builtEntry(entry))) ? "dist" : "tsx";
  return runProcess(process.execPath, entryArgs(mode, entry, args), { cwd: ROOT, env });
}

/** Starts `command args` in `cwd` with `env` over this process's environment (the built processes, a shell script). */
export function runProcess(command: string, args: string[], opts: { cwd: string; env: Record<string, string> }): TestProcess {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim() !== ""));
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
