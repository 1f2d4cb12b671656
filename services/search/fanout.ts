// Fan-out under one deadline: named branches run in parallel, each with its
// own budget, optionally after the branches whose values it needs, and each
// with an optional fallback. A branch that fails or runs out of time never
// fails the whole: it settles as "degraded" (with its fallback value) or
// "failed" (without one), and the caller decides what that means.
//
//   const plan = fanout({ deadlineMs: 900 })
//     .branch("catalog", { budgetMs: 300, run: (ctx) => catalog.searchHotels(ctx, req) })
//     .branch("wallet", { budgetMs: 150, fallback: () => 0n, run: (ctx) => balanceOf(ctx) })
//     .branch("pricing", {
//       needs: ["catalog"],                    // starts when catalog has settled, gets its value
//       budgetMs: 400,                         // counted from when it starts
//       fallback: () => [],
//       run: (ctx, { catalog }) => pricing.getHotelOffers(ctx, idsOf(catalog)),
//     });
//   for await (const state of plan.run(ctx)) …  // one state per branch settled, the last done
//   const last = await plan.final(ctx);          // or only the last state
//
// Each branch's ctx carries its deadline (the earliest of its budget, the
// plan's deadlineMs and the caller's deadline) and a signal that fires then,
// when the caller cancels, or when the consumer stops iterating; a branch
// that ignores its signal is settled at its deadline anyway.
import { derive, remainingMs, type Context } from "../../endpoints/context.js";
import { asKitError, failedPrecondition, KitError, Code } from "../../endpoints/errors.js";

/** How a branch settled. `ms` is how long it ran. */
export type Outcome<V> =
  | { readonly status: "ok"; readonly value: V; readonly ms: number }
  | { readonly status: "degraded"; readonly value: V; readonly error: KitError; readonly ms: number }
  | { readonly status: "failed"; readonly error: KitError; readonly ms: number };

/** What is known after one more branch settled. */
export interface FanoutState<T> {
  /** The branch whose settling made this state. */
  readonly settled: keyof T & string;
  /** Every branch settled so far; pending ones are absent. */
  readonly outcomes: { readonly [K in keyof T]?: Outcome<T[K]> };
  /** Branches that failed or ran out of time (with a fallback or not), in the order they settled. */
  readonly degraded: readonly (keyof T & string)[];
  /** True on the last state: every branch has settled. */
  readonly done: boolean;
}

export interface BranchSpec<T, N extends keyof T, V> {
  /** Branches whose values this one needs: it starts once they have all settled with a value. */
  readonly needs?: readonly N[];
  /** Milliseconds from the branch's start; the plan's deadline caps it. Default: the plan's deadline. */
  readonly budgetMs?: number;
  /** The value when the branch fails or runs out of time; without it the branch settles "failed". */
  readonly fallback?: (error: KitError) => V;
  /** The work. `ctx` has the branch's deadline and signal; `needed` the values of `needs`. */
  run(ctx: Context, needed: { readonly [P in N]: T[P] }): Promise<V>;
}

export interface FanoutOptions {
  /** The whole plan's limit from the start of `run`, besides the caller's deadline. Default: none. */
  readonly deadlineMs?: number;
}

type AnySpec = BranchSpec<Record<string, unknown>, string, unknown> & { readonly name: string };

/** An empty plan; add branches with `.branch`. */
export function fanout(opts: FanoutOptions = {}): Fanout<Record<never, never>> {
  return new Fanout(opts, []);
}

/** A plan of branches, immutable: `.branch` returns a new plan. Run it any number of times. */
export class Fanout<T extends Record<string, unknown>> {
  readonly #opts: FanoutOptions;
  readonly #specs: readonly AnySpec[];

  constructor(opts: FanoutOptions, specs: readonly AnySpec[]) {
    this.#opts = opts;
    this.#specs = specs;
  }

  /** This plan plus a branch `name` whose value is V. */
  branch<K extends string, V, N extends keyof T & string = never>(
    name: K extends keyof T ? never : K,
    spec: BranchSpec<T, N, V>,
  ): Fanout<T & { readonly [P in K]: V }> {
    const unknownNeed = (spec.needs ?? []).find((n) => !this.#specs.some((s) => s.name === n));
    if (unknownNeed !== undefined) throw new Error(`branch ${name} needs ${unknownNeed}, which is not an earlier branch`);
    return new Fanout(this.#opts, [...this.#specs, { ...(spec as unknown as AnySpec), name }]);
  }

  /** Runs every branch; yields a state each time one settles, the last with done = true. */
  run(ctx: Context): AsyncIterable<FanoutState<T>> {
    const specs = this.#specs;
    const opts = this.#opts;
    return {
      [Symbol.asyncIterator]: () => runPlan(ctx, specs, opts)[Symbol.asyncIterator]() as AsyncIterator<FanoutState<T>>,
    };
  }

  /** Runs every branch and resolves with the last state. */
  async final(ctx: Context): Promise<FanoutState<T>> {
    let last: FanoutState<T> | undefined;
    for await (const state of this.run(ctx)) last = state;
    if (last === undefined) throw new Error("a fan-out with no branches has no final state");
    return last;
  }
}

/** The value of branch `name` in `state` (its fallback when degraded); undefined while pending or failed. */
export function valueOf<T, K extends keyof T>(state: FanoutState<T>, name: K): T[K] | undefined {
  const outcome = state.outcomes[name];
  return outcome && outcome.status !== "failed" ? outcome.value : undefined;
}

type Outcomes = Record<string, Outcome<unknown>>;

/**
 * The reason a plan's and its branches' signals fire when the plan is over:
 * one error made once, since every search ends so and an Error's stack
 * costs more than the rest of the bookkeeping.
 */
const OVER = new KitError(Code.Canceled, "the search's fan-out is over");

async function* runPlan(ctx: Context, specs: readonly AnySpec[], opts: FanoutOptions) {
  const startedAt = Date.now();
  const planDeadline = Math.min(
    remainingMs(ctx, startedAt) + startedAt,
    opts.deadlineMs === undefined ? Infinity : startedAt + opts.deadlineMs,
  );
  // One signal for every branch: the caller cancelling, or the consumer leaving.
  const stop = new AbortController();
  const forward = () => stop.abort(ctx.signal.reason);
  if (ctx.signal.aborted) forward();
  else ctx.signal.addEventListener("abort", forward, { once: true });

  const outcomes: Outcomes = {};
  const degraded: string[] = [];
  const started = new Set<string>();
  const ready: FanoutState<Record<string, unknown>>[] = [];
  let wake: (() => void) | undefined;

  const settle = (name: string, outcome: Outcome<unknown>) => {
    outcomes[name] = outcome;
    if (outcome.status !== "ok") degraded.push(name);
    const done = Object.keys(outcomes).length === specs.length;
    ready.push({ settled: name, outcomes: { ...outcomes }, degraded: [...degraded], done });
    startReady();
    wake?.();
  };

  const startReady = () => {
    for (const spec of specs) {
      if (started.has(spec.name)) continue;
      const needs = spec.needs ?? [];
      if (!needs.every((n) => outcomes[n] !== undefined)) continue;
      started.add(spec.name);
      const missing = needs.find((n) => outcomes[n]!.status === "failed");
      if (missing !== undefined) {
        settle(spec.name, { status: "failed", error: failedPrecondition(`${spec.name} needs ${missing}, which failed`), ms: 0 });
        continue;
      }
      const needed = Object.fromEntries(needs.map((n) => [n, (outcomes[n] as { value: unknown }).value]));
      void runBranch(ctx, spec, needed, planDeadline, stop.signal).then((o) => settle(spec.name, o));
    }
  };

  try {
    startReady();
    for (let yielded = 0; yielded < specs.length; yielded++) {
      while (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      yield ready.shift()!;
    }
  } finally {
    ctx.signal.removeEventListener("abort", forward);
    stop.abort(OVER);
  }
}

/** Runs one branch to its outcome: never rejects. */
async function runBranch(
  parent: Context,
  spec: AnySpec,
  needed: Record<string, unknown>,
  planDeadline: number,
  stop: AbortSignal,
): Promise<Outcome<unknown>> {
  const startedAt = Date.now();
  const deadline = Math.min(planDeadline, spec.budgetMs === undefined ? Infinity : startedAt + spec.budgetMs);
  const controller = new AbortController();
  const forward = () => controller.abort(stop.reason);
  if (stop.aborted) forward();
  else stop.addEventListener("abort", forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    const fire = () => {
      const error = new KitError(Code.DeadlineExceeded, `${spec.name} did not answer within its budget`);
      reject(error);
      controller.abort(error);
    };
    if (deadline === Infinity) return;
    if (deadline <= startedAt) fire();
    else timer = setTimeout(fire, deadline - startedAt);
  });
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(asKitError(controller.signal.reason));
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener("abort", fail, { once: true });
  });
  timedOut.catch(() => {});
  aborted.catch(() => {});
  const ctx = derive(parent, { deadline: deadline === Infinity ? parent.deadline : deadline, signal: controller.signal });
  try {
    const work = Promise.resolve().then(() => spec.run(ctx, needed));
    const value = await Promise.race([timedOut, aborted, work]);
    return { status: "ok", value, ms: Date.now() - startedAt };
  } catch (e) {
    const error = asKitError(e);
    const ms = Date.now() - startedAt;
    return spec.fallback ? { status: "degraded", value: spec.fallback(error), error, ms } : { status: "failed", error, ms };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", forward);
    // Whatever the work still does, nobody waits for it now.
    if (!controller.signal.aborted) controller.abort(OVER);
  }
}
