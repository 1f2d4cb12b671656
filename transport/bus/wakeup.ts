// Wakes sleeping consumer loops. A generation counter, so that a wake that
// arrives while a loop is busy is not lost: the loop sees the generation moved
// and does not sleep.
export class Wakeup {
  private generation = 0;
  private readonly sleepers = new Set<() => void>();

  /** The current generation: pass it to `sleep` after looking for work. */
  get seen(): number {
    return this.generation;
  }

  wake(): void {
    this.generation++;
    for (const resolve of this.sleepers) resolve();
    this.sleepers.clear();
  }

  /** Sleeps up to `ms`, or not at all if woken since `seen`. */
  sleep(seen: number, ms: number): Promise<void> {
    if (seen !== this.generation) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.sleepers.add(done);
    });
  }
}
