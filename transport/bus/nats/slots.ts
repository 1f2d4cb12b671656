// At most `size` holders at once; the others queue in arrival order. While
// one waits, `waiting` is called every `everyMs`, and once more when its turn
// comes (for a NATS message in hand: "still working on it", so its ack wait
// does not expire in the queue, and its handler starts with a full one).
export class Slots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(waiting: () => void, everyMs: number): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
    } else {
      const timer = setInterval(waiting, everyMs);
      try {
        await new Promise<void>((resolve) => this.queue.push(resolve));
      } finally {
        clearInterval(timer);
      }
      waiting();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    };
  }
}
