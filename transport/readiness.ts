// Whether a server should receive traffic: `/readyz` and grpc.health.v1.Health
// both read it.
//
//   const readiness = new Readiness(async () => (await pingDatabase()) || "database unreachable");
//   await readiness.status()   // { ready: true, reason: "ready" } or { ready: false, reason }
//   readiness.drain()          // shutting down: never ready again
//
// The check answers `true` when ready, or `false` / a reason (a string) when
// not; a check that throws or takes longer than `timeoutMs` means not ready.

/** Answers `true` when the process can serve; `false` or a reason when it cannot. */
export type ReadinessCheck = () => Promise<boolean | string>;

export interface ReadinessStatus {
  ready: boolean;
  /** "ready", "shutting down", or why the check failed. */
  reason: string;
}

export interface ReadinessOptions {
  /** The longest one check may take (default 2 000 ms). */
  timeoutMs?: number;
}

export class Readiness {
  private draining = false;
  private readonly drainListeners = new Set<() => void>();
  private readonly timeoutMs: number;

  constructor(
    private readonly check: ReadinessCheck = async () => true,
    opts: ReadinessOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 2_000;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  async status(): Promise<ReadinessStatus> {
    if (this.draining) return { ready: false, reason: "shutting down" };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`readiness check took longer than ${this.timeoutMs} ms`), this.timeoutMs);
    });
    try {
      const answer = await Promise.race([this.check(), timeout]);
      if (this.draining) return { ready: false, reason: "shutting down" };
      if (answer === true) return { ready: true, reason: "ready" };
      return { ready: false, reason: typeof answer === "string" && answer !== "" ? answer : "not ready" };
    } catch (e) {
      return { ready: false, reason: `readiness check failed: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Marks the process as shutting down: every later status is not ready. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    for (const listener of this.drainListeners) listener();
    this.drainListeners.clear();
  }

  /** Calls `listener` once when draining starts; returns a function that unsubscribes. */
  onDrain(listener: () => void): () => void {
    if (this.draining) {
      listener();
      return () => {};
    }
    this.drainListeners.add(listener);
    return () => this.drainListeners.delete(listener);
  }
}
