// Deterministic hotel stays to search for: a city of the demo inventory, a
// check-in 1–80 days ahead, 1–5 nights. Shared by the search and BFF
// benchmarks; each wraps a stay in its own request.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DateSchema } from "../gen/itinera/type/v1/date_pb.js";
import { generateInventory } from "../sandbox/inventory.js";

type DateInit = MessageInitShape<typeof DateSchema>;

export interface Stay {
  city: string;
  checkIn: DateInit;
  checkOut: DateInit;
}

export function stays(seed: number): () => Stay {
  const inv = generateInventory({});
  const today = new Date();
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
  const date = (d: number): DateInit => {
    const t = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + d));
    return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
  };
  return () => {
    const city = inv.cities[Math.floor(next() * inv.cities.length)]!;
    const inDays = 1 + Math.floor(next() * 80);
    const nights = 1 + Math.floor(next() * 5);
    return { city: city.name, checkIn: date(inDays), checkOut: date(inDays + nights) };
  };
}
