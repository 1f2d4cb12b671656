// Live quotes: ask every seller that sells the thing, in parallel, each under
// its own deadline (the earlier of the caller's, less a margin to answer in,
// and `timeoutMs`). A seller that fails, is throttled, is too slow or has its
// breaker open lands in `unavailable` — the answer still carries the others'.
// A seller that answers NotFound does not sell it: no items, not unavailable.
import { derive, remainingMs, type Context } from "../../endpoints/context.js";
import { asKitError, Code, deadlineExceeded } from "../../endpoints/errors.js";
import type { SellerAdapter } from "./adapter.js";
import type { SellerStats } from "./seller-stats.js";

export interface FanOutOptions {
  /** The longest any one seller is waited for. */
  timeoutMs: number;
  stats: SellerStats;
  /** The clock failures are stamped with. */
  now: () => Date;
}

export interface FanOutResult<T> {
  items: T[];
  /** Ids of the sellers that did not answer, in the order asked. */
  unavailable: string[];
}

/** Time kept back from the caller's deadline to assemble and send the answer. */
function marginMs(remaining: number): number {
  return Math.min(50, Math.floor(remaining / 10));
}

export async function fanOut<T>(
  ctx: Context,
  sellers: readonly SellerAdapter[],
  ask: (seller: SellerAdapter, ctx: Context) => Promise<T[]>,
  opts: FanOutOptions,
): Promise<FanOutResult<T>> {
  const outcomes = await Promise.all(
    sellers.map(async (seller) => {
      if (seller.breakerState() === "open") return { seller, items: undefined };
      opts.stats.searched(seller.id);
      try {
        const items = await withinBudget(ctx, opts.timeoutMs, seller.id, (sellerCtx) => ask(seller, sellerCtx));
        opts.stats.quoted(seller.id, true);
        return { seller, items };
      } catch (e) {
        const error = asKitError(e);
        if (error.code === Code.NotFound) {
          opts.stats.quoted(seller.id, true);
          return { seller, items: [] as T[] };
        }
        opts.stats.quoted(seller.id, false);
        opts.stats.failed(seller.id, "quote", error.message, opts.now());
        ctx.log.warn({ seller: seller.id, code: error.codeName, err: error.message }, "seller did not quote");
        return { seller, items: undefined };
      }
    }),
  );
  return {
    items: outcomes.flatMap((o) => o.items ?? []),
    unavailable: outcomes.filter((o) => o.items === undefined).map((o) => o.seller.id),
  };
}

/**
 * Runs `work` with a context whose deadline and signal end at the seller's
 * budget, and gives up at that time even if `work` ignores its signal.
 */
async function withinBudget<T>(ctx: Context, timeoutMs: number, sellerId: string, work: (ctx: Context) => Promise<T>): Promise<T> {
  const remaining = remainingMs(ctx);
  const budget = Math.min(timeoutMs, remaining - marginMs(remaining));
  if (!(budget > 0)) throw deadlineExceeded(`no time was left to ask ${sellerId}`);
  const controller = new AbortController();
  const forward = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) forward();
  else ctx.signal.addEventListener("abort", forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = deadlineExceeded(`${sellerId} did not quote within ${Math.round(budget)} ms`);
      reject(error);
      controller.abort(error);
    }, budget);
  });
  try {
    return await Promise.race([
      work(derive(ctx, { deadline: Date.now() + budget, signal: controller.signal })),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", forward);
  }
}
