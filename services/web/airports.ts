// Every airport flights are sold between, for the flight search form.
//
// The catalog has no "list every airport" call: GetAirports answers airports
// by code (up to 100 codes a call, unknown codes left out) or the 10 best
// matches of some words. So the list is derived from the catalog's answers by
// asking for every possible IATA code (AAA…ZZZ: 17,576 codes, 176 calls of
// 100, a few at a time) — a complete answer from an indexed lookup on a small
// table, done once and then kept `ttlMs`. A catalog method listing airports
// would replace this with one call.
//
// An empty list (the catalog not yet fed by the sellers' ingestion) is kept
// only briefly; a failed refresh keeps serving the previous list.
import type { Context } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import type { Airport, CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const CODES_PER_CALL = 100;
const CALLS_AT_ONCE = 8;
/** How long an empty answer is kept. */
const EMPTY_TTL_MS = 5_000;

/** Every three-letter code, in batches of what one GetAirports call takes. */
export function codeBatches(): string[][] {
  const codes: string[] = [];
  for (const a of LETTERS) for (const b of LETTERS) for (const c of LETTERS) codes.push(a + b + c);
  const batches: string[][] = [];
  for (let i = 0; i < codes.length; i += CODES_PER_CALL) batches.push(codes.slice(i, i + CODES_PER_CALL));
  return batches;
}

export class AirportDirectory {
  private kept: { airports: readonly Airport[]; at: number } | undefined;
  private loading: Promise<readonly Airport[]> | undefined;

  constructor(
    private readonly catalog: Client<typeof CatalogService>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The airports by city name, then code; one load at a time, however many callers wait. */
  async list(ctx: Context): Promise<readonly Airport[]> {
    const kept = this.kept;
    const ttl = kept && kept.airports.length === 0 ? EMPTY_TTL_MS : this.ttlMs;
    if (kept && this.now() - kept.at < ttl) return kept.airports;
    const load = (this.loading ??= this.load(ctx).finally(() => (this.loading = undefined)));
    try {
      return await load;
    } catch (e) {
      if (kept && kept.airports.length > 0) {
        ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "airports not refreshed: serving the previous list");
        return kept.airports;
      }
      throw e;
    }
  }

  private async load(ctx: Context): Promise<readonly Airport[]> {
    const batches = codeBatches();
    const found: Airport[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const codes = batches[next++]!;
        found.push(...(await this.catalog.getAirports(ctx, { codes })).airports);
      }
    };
    await Promise.all(Array.from({ length: CALLS_AT_ONCE }, worker));
    const airports = found.sort((a, b) => a.cityName.localeCompare(b.cityName, "en") || (a.code < b.code ? -1 : 1));
    this.kept = { airports, at: this.now() };
    return airports;
  }
}
