// One pull of a seller: its listings page by page into catalog, then its
// nightly rates over the rate window into pricing, then the bookkeeping
// (coverage, flight routes, arrival time). A seller is pulled by one sync at
// a time: a second request while one runs waits for that one's result.
import type { Context } from "../../endpoints/context.js";
import type { SellerAdapter } from "./adapter.js";
import { addDays, utcDateOf } from "./calendar.js";
import { coverageOf, type Ingestion } from "./ingestion.js";
import type { SellersStore } from "./store.js";

export interface SyncResult {
  hotels: number;
  flights: number;
  rates: number;
  durationMs: number;
}

export interface SellerSyncDeps {
  ingestion: Ingestion;
  store: SellersStore;
  now: () => Date;
  /** Nights of rates pulled from today (UTC). */
  rateWindowDays: number;
}

export class SellerSync {
  private readonly running = new Map<string, Promise<SyncResult>>();

  constructor(private readonly deps: SellerSyncDeps) {}

  run(ctx: Context, seller: SellerAdapter): Promise<SyncResult> {
    const current = this.running.get(seller.id);
    if (current) return current;
    const sync = this.pull(ctx, seller).finally(() => this.running.delete(seller.id));
    this.running.set(seller.id, sync);
    return sync;
  }

  private async pull(ctx: Context, seller: SellerAdapter): Promise<SyncResult> {
    const { ingestion, store, now } = this.deps;
    const started = Date.now();
    const result = { hotels: 0, flights: 0, rates: 0, durationMs: 0 };
    if (seller.pullListings) {
      for await (const page of seller.pullListings(ctx)) {
        const written = await ingestion.writeListings(ctx, seller.id, page);
        result.hotels += written.hotels;
        result.flights += written.flights;
        await store.recordCoverage(seller.id, coverageOf(page));
        await store.recordFlightRoutes(
          page.flights.map((f) => ({ flightNumber: f.flightNumber, origin: f.origin, destination: f.destination })),
        );
      }
    }
    if (seller.pullRates) {
      const today = utcDateOf(now());
      const window = { from: today, to: addDays(today, this.deps.rateWindowDays) };
      for await (const rates of seller.pullRates(ctx, window)) {
        result.rates += await ingestion.writeRates(ctx, seller.id, rates);
      }
    }
    await store.recordArrival(seller.id, now());
    result.durationMs = Date.now() - started;
    ctx.log.info({ seller: seller.id, ...result }, "seller synced");
    return result;
  }
}
