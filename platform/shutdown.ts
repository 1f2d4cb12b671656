// Graceful shutdown for a service process: on SIGTERM or SIGINT run the
// closers in order (stop accepting and drain calls, then consumers, then the
// pool), each bounded in time, then exit. A second signal exits at once.
import type { Logger } from "pino";

export interface Closer {
  name: string;
  close: () => Promise<void>;
}

export function onShutdown(log: Logger, closers: Closer[], opts: { timeoutMs?: number } = {}): void {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    let failed = false;
    for (const c of closers) {
      try {
        await withTimeout(c.close(), timeoutMs, c.name);
      } catch (e) {
        failed = true;
        log.error({ err: e, step: c.name }, "shutdown step failed");
      }
    }
    log.info("stopped");
    process.exit(failed ? 1 : 0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
