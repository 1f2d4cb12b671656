// What a pull seller's feed version covers, as real sellers offer it: one
// cheap request (with the validator of the last pull in If-None-Match)
// answers 304 when nothing the feed serves has changed since. The version is
// a digest of exactly what the seller's feed is made of — its part of the
// inventory, the window of dates and the seed its prices come from — taken
// when the seller starts (the inventory does not change while it runs).
import { createHash } from "node:crypto";
import type { Inventory } from "./inventory.js";

/** The quoted strong ETag of a seller's feed: a digest of `parts` of the inventory, plus what dates and prices follow from. */
export function feedVersion(inv: Inventory, parts: readonly (keyof Inventory)[]): string {
  const digest = createHash("sha256").update(JSON.stringify([inv.seed, inv.today, inv.days]));
  for (const p of parts) digest.update(JSON.stringify(inv[p]));
  return `"${digest.digest("base64url").slice(0, 27)}"`;
}
