// A digest of one page a pull seller sent, over the messages we write from
// it: the same page again (same hotels, flights, aliases; same rates) has the
// same digest, so a pull that only sends on changes can leave it out.
import { createHash, type Hash } from "node:crypto";
import { toBinary } from "@bufbuild/protobuf";
import { AirportSchema, FlightSchema, HotelSchema } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { NightlyRateSchema, type NightlyRate } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Listings } from "./adapter.js";

export function listingsDigest(page: Listings): string {
  const d = createHash("sha256");
  section(d, "hotels", page.hotels.map((h) => toBinary(HotelSchema, h)));
  section(d, "flights", page.flights.map((f) => toBinary(FlightSchema, f)));
  section(d, "airports", page.airports.map((a) => toBinary(AirportSchema, a)));
  const aliases = [...page.cityAliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  section(d, "aliases", aliases.map(([city, names]) => Buffer.from(JSON.stringify([city, names]))));
  return d.digest("base64url");
}

export function ratesDigest(rates: readonly NightlyRate[]): string {
  const d = createHash("sha256");
  section(d, "rates", rates.map((r) => toBinary(NightlyRateSchema, r)));
  return d.digest("base64url");
}

/** Each item length-prefixed, so that no two different lists hash alike. */
function section(d: Hash, name: string, items: readonly Uint8Array[]): void {
  d.update(`${name}:${items.length};`);
  for (const item of items) d.update(`${item.length}:`).update(item);
}
