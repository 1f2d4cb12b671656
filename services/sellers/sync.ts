// One pull of a seller: its listings page by page into catalog, then its
// nightly rates over the rate window into pricing, then the bookkeeping
// (coverage, flight routes, arrival time). A seller is pulled by one sync at
// a time: a second request while one runs waits for that one's result.
//
// Sending on only what changed (onlyChanges, the scheduler's syncs): a seller
// with a feed version is first asked, with the version of our last pull for
// the same rate window, whether anything changed — one request; when not
// (304), nothing is pulled or written and the data we hold counts as arrived.
// When it changed, every page is pulled, but a page whose digest is the one
// our last pull wrote is not written again. The version and the digests are
// recorded (pull_state) only once what they stand for is written, so a pull
// cut short is finished by the next one; a full pull records them too.
import type { Context } from "../../endpoints/context.js";
import type { Listings, SellerAdapter } from "./adapter.js";
import { addDays, formatDate, utcDateOf } from "./calendar.js";
import { coverageOf, type Ingestion } from "./ingestion.js";
import { listingsDigest, ratesDigest } from "./page-digest.js";
import type { SellersStore } from "./store.js";

export interface SyncResult {
  /** Written to catalog and pricing. */
  hotels: number;
  flights: number;
  rates: number;
  /** Pulled but not written again: on pages the last pull wrote as they are. */
  kept: { hotels: number; flights: number; rates: number };
  /** The seller said nothing changed since our last pull: nothing was pulled. */
  unchanged: boolean;
  durationMs: number;
}

export interface SyncOptions {
  /** Send on only what changed since the last pull (see above); false writes everything. */
  onlyChanges: boolean;
}

export interface SellerSyncDeps {
  ingestion: Ingestion;
  store: SellersStore;
  now: () => Date;
  /** Nights of rates pulled from today (UTC). */
  rateWindowDays: number;
}

/** pull_state's part holding "<first night of the rate window> <the seller's feed version>". */
const VERSION_PART = "version";

export class SellerSync {
  private readonly running = new Map<string, Promise<SyncResult>>();

  constructor(private readonly deps: SellerSyncDeps) {}

  run(ctx: Context, seller: SellerAdapter, opts: SyncOptions): Promise<SyncResult> {
    const current = this.running.get(seller.id);
    if (current) return current;
    const sync = this.pull(ctx, seller, opts).finally(() => this.running.delete(seller.id));
    this.running.set(seller.id, sync);
    return sync;
  }

  private async pull(ctx: Context, seller: SellerAdapter, opts: SyncOptions): Promise<SyncResult> {
    const { ingestion, store, now } = this.deps;
    const started = Date.now();
    const result: SyncResult = { hotels: 0, flights: 0, rates: 0, kept: { hotels: 0, flights: 0, rates: 0 }, unchanged: false, durationMs: 0 };
    const today = utcDateOf(now());
    const window = { from: today, to: addDays(today, this.deps.rateWindowDays) };
    const windowKey = formatDate(window.from);

    // Without a feed version, nothing tells a page the seller changed from one it did not: every page is written.
    const state = seller.feedVersion ? await store.pullState(seller.id) : new Map<string, string>();
    let version: string | undefined;
    if (seller.feedVersion) {
      const [lastWindow, lastVersion] = (state.get(VERSION_PART) ?? "").split(" ", 2);
      const known = opts.onlyChanges && lastWindow === windowKey ? lastVersion : undefined;
      const answer = await seller.feedVersion(ctx, known);
      if (!answer.changed) {
        await store.recordArrival(seller.id, now());
        return this.done(ctx, seller, { ...result, unchanged: true }, started);
      }
      version = answer.version;
    }
    const tracked = version !== undefined;
    const parts: string[] = [];
    /** True when the page is the one our last pull wrote (onlyChanges); else it is recorded once written. */
    const sameAsLast = (part: string, digest: string) => {
      parts.push(part);
      return tracked && opts.onlyChanges && state.get(part) === digest;
    };
    const written = (part: string, digest: string) => (tracked ? store.recordPullState(seller.id, part, digest) : Promise.resolve());

    if (seller.pullListings) {
      let n = 0;
      for await (const page of seller.pullListings(ctx)) {
        const part = `listings:${n++}`;
        const digest = listingsDigest(page);
        if (sameAsLast(part, digest)) {
          result.kept.hotels += page.hotels.length;
          result.kept.flights += page.flights.length;
          continue;
        }
        await this.writeListings(ctx, seller.id, page, result);
        await written(part, digest);
      }
    }
    if (seller.pullRates) {
      let n = 0;
      for await (const rates of seller.pullRates(ctx, window)) {
        const part = `rates:${n++}`;
        const digest = ratesDigest(rates);
        if (sameAsLast(part, digest)) {
          result.kept.rates += rates.length;
          continue;
        }
        result.rates += await ingestion.writeRates(ctx, seller.id, rates);
        await written(part, digest);
      }
    }
    if (tracked) {
      await store.keepPullState(seller.id, [...parts, VERSION_PART]);
      await store.recordPullState(seller.id, VERSION_PART, `${windowKey} ${version}`);
    }
    await store.recordArrival(seller.id, now());
    return this.done(ctx, seller, result, started);
  }

  private async writeListings(ctx: Context, sellerId: string, page: Listings, result: SyncResult) {
    const { ingestion, store } = this.deps;
    const written = await ingestion.writeListings(ctx, sellerId, page);
    result.hotels += written.hotels;
    result.flights += written.flights;
    await store.recordCoverage(sellerId, coverageOf(page));
    await store.recordFlightRoutes(
      page.flights.map((f) => ({ flightNumber: f.flightNumber, origin: f.origin, destination: f.destination })),
    );
  }

  private done(ctx: Context, seller: SellerAdapter, result: SyncResult, started: number): SyncResult {
    result.durationMs = Date.now() - started;
    ctx.log.info({ seller: seller.id, ...result }, "seller synced");
    return result;
  }
}
