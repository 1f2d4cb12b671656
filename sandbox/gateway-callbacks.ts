// The gateway's callbacks, delivered at least once as real gateways do: the
// first attempt is awaited (so the browser usually comes back to a payment
// that is already decided), failures (network errors, timeouts, non-2xx) are
// retried in the background with exponential backoff, and in mode "normal" a
// delivered callback is sent once more a second later, byte for byte, so
// receivers have to be idempotent. Each send is signed afresh (the timestamp
// moves), the body never changes.
//   mode "once": no duplicate; mode "down": every attempt fails without a
//   request and is retried later (the callback arrives once the mode is back).
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { SIGNATURE_HEADER, signBody } from "./signature.js";

export const CALLBACK_MODES = ["normal", "once", "down"] as const;
export type CallbackMode = (typeof CALLBACK_MODES)[number];

export interface CallbackOptions {
  /** First retry delay, doubled each time up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts before a callback is given up. */
  maxAttempts: number;
  /** When the duplicate of a delivered callback is sent. */
  duplicateDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

/** About ten tries over about a minute. */
export const CALLBACK_DEFAULTS: CallbackOptions = {
  retryBaseMs: 500,
  retryMaxMs: 12_000,
  maxAttempts: 10,
  duplicateDelayMs: 1_000,
  timeoutMs: 5_000,
};

export interface CallbackCounters {
  sent(): void;
  failed(): void;
}

export class CallbackSender {
  mode: CallbackMode = "normal";
  private stopping = new AbortController();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly secret: string,
    private readonly opts: CallbackOptions,
    private readonly counters: CallbackCounters,
    private readonly log: Logger,
  ) {}

  /** Sends a callback; resolves after the first attempt with whether it was accepted. */
  async deliver(url: string, body: string, what: Record<string, unknown>): Promise<boolean> {
    const signal = this.stopping.signal;
    if (await this.attempt(url, body, signal)) {
      if (this.mode === "normal") this.background(this.duplicate(url, body, signal));
      return true;
    }
    this.log.info({ ...what, attempt: 1 }, "gateway callback failed; retrying");
    this.background(this.retry(url, body, what, signal));
    return false;
  }

  /** Resolves once no retry or duplicate is pending (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Drops every pending retry and duplicate. */
  reset(): void {
    this.stopping.abort();
    this.stopping = new AbortController();
    this.mode = "normal";
  }

  private background(work: Promise<void>): void {
    const p = work.finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async duplicate(url: string, body: string, signal: AbortSignal): Promise<void> {
    if (await pause(this.opts.duplicateDelayMs, signal)) await this.attempt(url, body, signal);
  }

  private async retry(url: string, body: string, what: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    for (let attempt = 2; attempt <= this.opts.maxAttempts; attempt++) {
      const delay = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (attempt - 2));
      if (!(await pause(delay, signal))) return;
      if (await this.attempt(url, body, signal)) {
        if (this.mode === "normal") await this.duplicate(url, body, signal);
        return;
      }
      this.log.info({ ...what, attempt }, "gateway callback failed");
    }
    if (!signal.aborted) this.log.warn({ ...what, attempts: this.opts.maxAttempts }, "gateway callback given up");
  }

  /** One signed POST; true when answered 2xx. */
  private async attempt(url: string, body: string, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    if (this.mode === "down") {
      this.counters.failed();
      return false;
    }
    try {
      const res = await fetch(url, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signBody(this.secret, body) },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        this.counters.sent();
        return true;
      }
    } catch {
      // A network error or a timeout: retried like a 5xx.
    }
    if (!signal.aborted) this.counters.failed();
    return false;
  }
}

/** Waits; false when aborted meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
