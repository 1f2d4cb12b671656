// Deterministic hotel stays to search for, in two mixes (shared by the search
// and BFF benchmarks; each wraps a stay in its own request):
// - uniform: any city of the demo inventory, a check-in 1–80 days ahead,
//   1–5 nights, all equally likely — the worst case for a cache;
// - zipf: what real traffic looks like — cities by popularity (the k-th
//   most popular asked 1/k as often as the first), weekends mostly (a Friday
//   or Saturday check-in, the nearer weeks more often: 1/(w+1)), 1–3 nights;
//   one search in five any date of the uniform mix.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DateSchema } from "../gen/itinera/type/v1/date_pb.js";
import { generateInventory } from "../sandbox/inventory.js";

type DateInit = MessageInitShape<typeof DateSchema>;

export interface Stay {
  city: string;
  checkIn: DateInit;
  checkOut: DateInit;
}

export type Mix = "uniform" | "zipf";
export const MIXES: readonly Mix[] = ["uniform", "zipf"];

/** A generator of stays of `mix`, the same sequence for the same seed. */
export function stays(seed: number, mix: Mix = "uniform"): () => Stay {
  const cities = generateInventory({}).cities.map((c) => c.name);
  const today = new Date();
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
  const date = (d: number): DateInit => {
    const t = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + d));
    return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
  };
  const stay = (city: string, inDays: number, nights: number): Stay => ({ city, checkIn: date(inDays), checkOut: date(inDays + nights) });
  const uniform = () => stay(cities[Math.floor(next() * cities.length)]!, 1 + Math.floor(next() * 80), 1 + Math.floor(next() * 5));
  if (mix === "uniform") return uniform;

  const city = zipf(cities.length, next);
  const week = zipf(11, next);
  const toFriday = (5 - today.getUTCDay() + 7) % 7 || 7; // the next Friday, at least a day ahead
  return () => {
    if (next() < 0.2) return uniform();
    const saturday = next() < 0.3 ? 1 : 0;
    const nights = 1 + Math.floor(next() * 3);
    return stay(cities[city()]!, toFriday + 7 * week() + saturday, nights);
  };
}

/** Ranks 0 … n-1 drawn with probability ∝ 1/(rank + 1). */
function zipf(n: number, next: () => number): () => number {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  const cdf = weights.map((w) => (sum += w / total));
  return () => {
    const u = next();
    const k = cdf.findIndex((c) => u < c);
    return k < 0 ? n - 1 : k;
  };
}
