// The sandbox's settings from its environment (sandbox/main.ts lists them):
// read here once, so `make start`'s ingestion progress derives the inventory's
// size from the same variables the sandbox sellers generate it from.
import type { InventoryParams } from "./inventory.js";

/** A non-negative number from the environment; `fallback` when unset; an error naming the variable otherwise. */
export function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

/** SANDBOX_SEED, SANDBOX_TODAY, SANDBOX_CITIES, SANDBOX_HOTELS_PER_CITY, SANDBOX_DAYS, SANDBOX_PAIRS. */
export function inventoryParams(env: NodeJS.ProcessEnv): InventoryParams {
  return {
    seed: envNumber(env, "SANDBOX_SEED", 42),
    ...(env.SANDBOX_TODAY ? { today: env.SANDBOX_TODAY } : {}),
    cities: envNumber(env, "SANDBOX_CITIES", 20),
    hotelsPerCity: envNumber(env, "SANDBOX_HOTELS_PER_CITY", 100),
    days: envNumber(env, "SANDBOX_DAYS", 90),
    pairs: envNumber(env, "SANDBOX_PAIRS", 300),
  };
}
