// Single flight (Go's x/sync/singleflight): concurrent calls for one key
// share one execution of the work and its outcome. Within one process.
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /** The work's result for `key`, joining the execution already running for it if any. */
  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = (async () => {
      try {
        return await work();
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, started);
    return started;
  }

  /** Keys running now (for tests and metrics). */
  get size(): number {
    return this.inFlight.size;
  }
}
