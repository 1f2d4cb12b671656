// What hotel and flight searches share: the plan's deadline, the wallet
// branch, the names of degraded dependencies, and turning fan-out states into
// the steps of a stream.
import { remainingMs, type Context } from "../../endpoints/context.js";
import { Code, internal, unavailable, type KitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { fanout, type BranchSpec, type Fanout, type FanoutState, type Outcome } from "./fanout.js";
import type { SearchBudgets } from "./settings.js";

/** An empty plan ending `reserveMs` before the caller's deadline, and within `totalMs` in any case. */
export function searchFanout(ctx: Context, budgets: SearchBudgets): Fanout<Record<never, never>> {
  const left = remainingMs(ctx) - budgets.reserveMs;
  return fanout({ deadlineMs: Math.max(0, Math.min(budgets.totalMs, left)) });
}

/**
 * The wallet branch: the customer's available balance in minor units, or
 * undefined when there is no customer (no call made). Never cached: asked on
 * every search. Falls back to undefined (no markdown) when the wallet fails.
 */
export function balanceBranch<T>(
  wallet: Client<typeof WalletService>,
  customerId: string,
  currency: string,
  budgets: SearchBudgets,
): BranchSpec<T, never, bigint | undefined> {
  return {
    budgetMs: budgets.walletMs,
    fallback: () => undefined,
    run: async (ctx) => {
      if (customerId === "") return undefined;
      const res = await wallet.getBalance(ctx, { customerId, currency });
      const available = res.balance?.available;
      return available && available.currency === currency ? available.amountMinor : 0n;
    },
  };
}

/** A state of a plan with a wallet branch. */
type WalletOutcome = { readonly outcomes: { readonly wallet?: Outcome<bigint | undefined> } };

/** The wallet balance to report, when the wallet answered for a customer. */
export function walletMoney(state: WalletOutcome, currency: string) {
  const outcome = state.outcomes.wallet;
  return outcome?.status === "ok" && outcome.value !== undefined ? { amountMinor: outcome.value, currency } : undefined;
}

/** The balance the markdown comes from: only one the wallet actually answered. */
export function walletBalance(state: WalletOutcome): bigint | undefined {
  const outcome = state.outcomes.wallet;
  return outcome?.status === "ok" ? outcome.value : undefined;
}

/** The dependencies behind the degraded branches, each once, in the order they degraded. */
export function degradedDependencies<T>(state: FanoutState<T>, dependencyOf: Readonly<Record<keyof T & string, string>>): string[] {
  return [...new Set(state.degraded.map((branch) => dependencyOf[branch]))];
}

/** The error for a search whose listing (the catalog's part) could not be had. */
export function listingFailure(error: KitError): KitError {
  if (error.code === Code.InvalidArgument || error.code === Code.Canceled) return error;
  return unavailable(`the catalog did not answer (${error.message}), so there is no listing to show`, error);
}

/**
 * The steps of a stream: one message per state that `view` can show (it
 * returns undefined until the listing is in, and throws when the search must
 * fail), the last one built from the final state.
 */
export async function* streamSteps<T, M>(
  states: AsyncIterable<FanoutState<T>>,
  view: (state: FanoutState<T>) => M | undefined,
): AsyncGenerator<M> {
  for await (const state of states) {
    const message = view(state);
    if (message !== undefined) yield message;
    else if (state.done) throw internal("the search ended with nothing to show");
  }
}

/** The final message of a plan, for the unary methods. */
export async function finalStep<T extends Record<string, unknown>, M>(plan: Fanout<T>, ctx: Context, view: (state: FanoutState<T>) => M | undefined): Promise<M> {
  const message = view(await plan.final(ctx));
  if (message === undefined) throw internal("the search ended with nothing to show");
  return message;
}
