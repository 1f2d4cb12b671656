// A constant-arrival-rate load generator (wrk2's model): request i is due at
// start + i/rate whether or not earlier ones have answered, and its latency
// is measured from that intended send time, so a stalled server shows up in
// the percentiles instead of silently slowing the offered load (coordinated
// omission). Bounded in count and time; loopback targets only.
import { Code, ConnectError } from "@connectrpc/connect";

export interface FixedRateOptions {
  /** Requests per second offered. */
  rate: number;
  /** How long to offer them. */
  seconds: number;
  /** One request; resolves when answered, rejects on error. */
  call: (i: number) => Promise<unknown>;
  /** Requests still unanswered this long after the end are counted as errors. Default 5 s. */
  drainMs?: number;
}

export interface LoadResult {
  offered: number;
  completed: number;
  errors: number;
  /** Latencies from the intended send time, milliseconds, sorted. */
  latenciesMs: number[];
  /** How late the generator itself sent, at worst (a busy client shows here). */
  maxSendLagMs: number;
  /** The first few distinct error messages, to say why. */
  errorSamples: string[];
  /** Errors by gRPC code name ("unavailable"); "unanswered" for calls still open after the drain. */
  errorsByCode: Map<string, number>;
}

export async function fixedRate(opts: FixedRateOptions): Promise<LoadResult> {
  const total = Math.floor(opts.rate * opts.seconds);
  const intervalMs = 1000 / opts.rate;
  const latenciesMs: number[] = [];
  let errors = 0;
  let maxSendLagMs = 0;
  const errorSamples = new Set<string>();
  const errorsByCode = new Map<string, number>();
  const count = (code: string, n = 1) => errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + n);
  const pending = new Set<Promise<void>>();
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
    const p: Promise<void> = opts.call(i).then(
      () => void latenciesMs.push(performance.now() - due),
      (e: unknown) => {
        errors++;
        count(e instanceof ConnectError ? Code[e.code] : "other");
        if (errorSamples.size < 3) errorSamples.add(e instanceof Error ? e.message : String(e));
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
  let timer: NodeJS.Timeout | undefined;
  const drained = Promise.all(pending).then(() => true);
  const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), opts.drainMs ?? 5000)));
  if (!(await Promise.race([drained, timedOut]))) {
    errors += pending.size;
    count("unanswered", pending.size);
  }
  clearTimeout(timer);
  latenciesMs.sort((a, b) => a - b);
  return { offered: total, completed: latenciesMs.length, errors, latenciesMs, maxSendLagMs, errorSamples: [...errorSamples], errorsByCode };
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)]!;
}

export function summary(r: LoadResult): string {
  const q = (p: number) => percentile(r.latenciesMs, p).toFixed(1).padStart(7);
  const why = r.errorSamples.length > 0 ? `\n    errors: ${[...r.errorsByCode].map(([code, n]) => `${code} ${n}`).join(", ")} (${r.errorSamples.join(" | ")})` : "";
  return `${r.completed}/${r.offered} ok, ${r.errors} errors   p50 ${q(50)} ms   p99 ${q(99)} ms   p999 ${q(99.9)} ms   max ${q(100)} ms   (send lag ≤ ${r.maxSendLagMs.toFixed(1)} ms)${why}`;
}
