// Every airport flights are sold between, for the flight search form: the
// catalog's ListAirports (one call, the complete list), sorted by city name
// then code, kept `ttlMs`.
//
// An empty list (the catalog not yet fed by the sellers' ingestion) is kept
// only briefly; a failed refresh keeps serving the previous list.
import type { Context } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import type { Airport, CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";

/** How long an empty answer is kept. */
const EMPTY_TTL_MS = 5_000;

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
    const found = [...(await this.catalog.listAirports(ctx, {})).airports];
    const airports = found.sort((a, b) => a.cityName.localeCompare(b.cityName, "en") || (a.code < b.code ? -1 : 1));
    this.kept = { airports, at: this.now() };
    return airports;
  }
}
