// A job that runs every `intervalMs` in the background of a process (payment's
// expiry sweep, booking's fulfilment sweep): the first run one interval after
// start, the next one interval after the previous run ended, so two runs of
// one loop never overlap. A failed run is logged and the next one retries.
// stop() aborts the running run's ctx.signal, starts no other and waits for
// the run in progress, so main.ts can close the database after it. What a run
// does — and the job lock that keeps replicas from running it at once — stays
// with the job.
import type { Logger } from "pino";
import { backgroundContext, type Context } from "./context.js";

export interface PeriodicOptions {
  /** The job in the log (its job lock's name, say). */
  name: string;
  /** Time between the end of one run and the start of the next, and before the first. */
  intervalMs: number;
  log: Logger;
  /** One run; its ctx.signal aborts when the loop stops. */
  run: (ctx: Context) => Promise<unknown>;
}

export interface Periodic {
  /** Starts the loop; once only (a second call, or one after stop, does nothing). */
  start(): void;
  /** Stops the loop and waits for the run in progress. */
  stop(): Promise<void>;
}

export function periodic(opts: PeriodicOptions): Periodic {
  const stopping = new AbortController();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = () => {
    if (!stopping.signal.aborted) timer = setTimeout(tick, opts.intervalMs);
  };
  const tick = () => {
    const ctx = backgroundContext({ log: opts.log, signal: stopping.signal });
    // new Promise: a run that throws before its first await is a failed run too, not a crash.
    running = new Promise<unknown>((resolve) => resolve(opts.run(ctx)))
      .then(
        () => undefined,
        (e: unknown) => opts.log.warn({ job: opts.name, err: e instanceof Error ? e.message : String(e) }, `${opts.name} failed; the next run retries`),
      )
      .finally(() => {
        running = undefined;
        schedule();
      });
  };

  return {
    start() {
      if (started || stopping.signal.aborted) return;
      started = true;
      schedule();
    },
    async stop() {
      stopping.abort(new Error(`${opts.name} is stopping`));
      clearTimeout(timer);
      await running;
    },
  };
}
