// Pulls the pull sellers on a schedule: every seller at start, then each one
// again `intervalMs` after its previous sync ended (syncs of one seller never
// overlap). A failed sync (a seller, catalog or pricing not up yet) is logged
// and retried sooner, after retryMs doubling up to intervalMs. main.ts starts
// it after the server and stops it on shutdown; no timer exists outside it.
// Every replica of sellers runs a scheduler; each sync runs under the seller's
// job lock ("sellers.sync:<seller>", platform/job-lock.ts), so one replica
// syncs a seller at a time and the others skip that round (logged at debug)
// and look again after the interval.
import type { Logger } from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import type { Exclusive } from "../../platform/job-lock.js";

export interface SyncSchedulerOptions {
  sellerIds: readonly string[];
  intervalMs: number;
  /** Runs one sync (main.ts: the SyncSeller endpoint, so it is logged and measured like a call). */
  sync: (ctx: Context, sellerId: string) => Promise<unknown>;
  log: Logger;
  /** Runs a sync only on the replica holding its lock (main.ts: advisoryExclusive on sellers' database). */
  exclusive: Exclusive;
  /** The longest one sync may run. Default 30 minutes. */
  syncTimeoutMs?: number;
  /** The first retry after a failed sync; doubles up to intervalMs. Default 5000 ms. */
  retryMs?: number;
}

/** A seller's sync job lock: one replica of sellers syncs a seller at a time. */
export const syncJob = (sellerId: string) => `sellers.sync:${sellerId}`;

export class SyncScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failures = new Map<string, number>();
  private readonly stopping = new AbortController();
  private started = false;

  constructor(private readonly opts: SyncSchedulerOptions) {}

  /** Syncs every seller now, then on the interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const id of this.opts.sellerIds) this.schedule(id, 0);
  }

  /** Stops the timers, cancels the syncs running and waits for them to end. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("the scheduler is stopping"));
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(sellerId: string, delayMs: number) {
    if (this.stopping.signal.aborted) return;
    this.timers.set(sellerId, setTimeout(() => this.tick(sellerId), delayMs));
  }

  private tick(sellerId: string) {
    this.timers.delete(sellerId);
    const ctx = backgroundContext({
      log: this.opts.log,
      signal: this.stopping.signal,
      deadline: Date.now() + (this.opts.syncTimeoutMs ?? 30 * 60_000),
    });
    const job = syncJob(sellerId);
    const run = this.opts
      .exclusive(job, () => this.opts.sync(ctx, sellerId))
      .then(
        (done) => {
          if (!done.ran) this.opts.log.debug({ seller: sellerId, job }, "scheduled sync skipped: another replica is syncing this seller");
          this.failures.delete(sellerId);
          return this.opts.intervalMs;
        },
        (e: unknown) => {
          const failed = (this.failures.get(sellerId) ?? 0) + 1;
          this.failures.set(sellerId, failed);
          const retryMs = Math.min(this.opts.intervalMs, (this.opts.retryMs ?? 5000) * 2 ** (failed - 1));
          if (!this.stopping.signal.aborted) {
            const err = e instanceof Error ? e.message : String(e);
            this.opts.log.warn({ seller: sellerId, err, retry_ms: retryMs }, "scheduled sync failed");
          }
          return retryMs;
        },
      )
      .then((delayMs) => {
        this.inFlight.delete(run);
        this.schedule(sellerId, delayMs);
      });
    this.inFlight.add(run);
  }
}
