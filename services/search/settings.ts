// Search's tunables: how long it waits for each dependency, and how much it
// trusts each seller when two offer the same price. main.ts reads them from
// the environment; tests pass their own.
import { int, type Env, type Setting } from "../../platform/config.js";

/** Milliseconds search gives each dependency and itself. */
export interface SearchBudgets {
  /** One catalog call (keyword search, flight list, airports). Near catalog's p99.5. */
  readonly catalogMs: number;
  /** One pricing call, counted from when it can start (after the catalog for hotels). */
  readonly pricingMs: number;
  /** The wallet balance. */
  readonly walletMs: number;
  /** The whole search, from its start; the caller's deadline caps it too. */
  readonly totalMs: number;
  /** Kept back from the caller's deadline to build and send the answer. */
  readonly reserveMs: number;
  /** Kept back from pricing's own time when telling it how long sellers may take (live_budget_ms). */
  readonly liveReserveMs: number;
}

export const DEFAULT_BUDGETS: SearchBudgets = {
  catalogMs: 300,
  pricingMs: 400,
  walletMs: 150,
  totalMs: 900,
  reserveMs: 50,
  liveReserveMs: 100,
};

/** Seller reliability in permille (ties on price go to the higher). */
export const DEFAULT_RELIABILITY: Readonly<Record<string, number>> = { skylark: 990, casa: 980, wanderly: 950 };

/** The budgets from SEARCH_<NAME>_MS variables (SEARCH_CATALOG_MS, SEARCH_PRICING_MS, …), defaults above. */
export function budgetSettings(): { [K in keyof SearchBudgets]: Setting<number> } {
  const ms = (variable: string, fallback: number) => int(variable, fallback, { min: 0, max: 60_000 });
  return {
    catalogMs: ms("SEARCH_CATALOG_MS", DEFAULT_BUDGETS.catalogMs),
    pricingMs: ms("SEARCH_PRICING_MS", DEFAULT_BUDGETS.pricingMs),
    walletMs: ms("SEARCH_WALLET_MS", DEFAULT_BUDGETS.walletMs),
    totalMs: ms("SEARCH_TOTAL_MS", DEFAULT_BUDGETS.totalMs),
    reserveMs: ms("SEARCH_RESERVE_MS", DEFAULT_BUDGETS.reserveMs),
    liveReserveMs: ms("SEARCH_LIVE_RESERVE_MS", DEFAULT_BUDGETS.liveReserveMs),
  };
}

/**
 * SELLER_RELIABILITY: "seller=permille,…" ("skylark=990,casa=980"); the
 * defaults above when unset.
 */
export function reliabilitySetting(variable = "SELLER_RELIABILITY"): Setting<Record<string, number>> {
  return {
    variable,
    read(env: Env) {
      const text = env[variable]?.trim();
      if (!text) return { ok: true, value: { ...DEFAULT_RELIABILITY } };
      const table: Record<string, number> = {};
      for (const item of text.split(",")) {
        const m = /^\s*([a-z0-9_-]+)\s*=\s*(\d{1,4})\s*$/i.exec(item);
        if (!m || Number(m[2]) > 1000) {
          return { ok: false, problem: `${variable} must be seller=permille pairs (0 to 1000) separated by commas, got ${JSON.stringify(text)}` };
        }
        table[m[1]!] = Number(m[2]);
      }
      return { ok: true, value: table };
    },
  };
}
