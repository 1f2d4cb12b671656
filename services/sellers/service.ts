// The sellers service (itinera.sellers.v1.SellersService): one adapter per
// seller behind one interface (adapter.ts). It pulls sellers' listings and
// rates into catalog and pricing (sync.ts), takes pushes (push.ts), asks the
// sellers of a route or hotel for live prices in parallel (quotes.ts), and
// counts look-to-book per seller (seller-stats.ts). Pure logic: HTTP to the
// sellers is inside the adapters; catalog and pricing are Clients.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Context } from "../../endpoints/context.js";
import { failedPrecondition, notFound } from "../../endpoints/errors.js";
import type { Client, Service } from "../../endpoints/service.js";
import type { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { FeedKind, type SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import type { Registry } from "prom-client";
import type { SellerAdapter } from "./adapter.js";
import { SellerDataError } from "./adapters/fields.js";
import { hotelItem, Ingestion, routeItem, type BatchLimits } from "./ingestion.js";
import { PushReceiver } from "./push.js";
import { fanOut } from "./quotes.js";
import { SellerStats } from "./seller-stats.js";
import type { SellersStore } from "./store.js";
import { SellerSync } from "./sync.js";

export interface SellersServiceDeps {
  adapters: readonly SellerAdapter[];
  catalog: Client<typeof CatalogService>;
  pricing: Client<typeof PricingService>;
  store: SellersStore;
  /** Each push seller's own webhook key (SELLERS_WEBHOOK_KEYS). */
  webhookKeys: ReadonlyMap<string, string>;
  /** seller_searches_total and seller_look_to_book are registered here when given. */
  registry?: Registry;
  /** The longest a live quote waits for any one seller. Default 2000 ms. */
  quoteTimeoutMs?: number;
  /** Nights of rates a pull covers from today. Default 90. */
  rateWindowDays?: number;
  batchLimits?: Partial<BatchLimits>;
  now?: () => Date;
}

/** What the service is, plus what main.ts and tests need besides the RPCs. */
export type SellersServiceImpl = Service<typeof SellersService> & {
  /** The pull sellers' ids: what the scheduler syncs. */
  readonly pullSellers: readonly string[];
};

export function sellersService(deps: SellersServiceDeps): SellersServiceImpl {
  const now = deps.now ?? (() => new Date());
  const byId = new Map(deps.adapters.map((a) => [a.id, a]));
  const stats = new SellerStats([...byId.keys()], deps.registry);
  const ingestion = new Ingestion({ catalog: deps.catalog, pricing: deps.pricing, limits: deps.batchLimits });
  const sync = new SellerSync({ ingestion, store: deps.store, now, rateWindowDays: deps.rateWindowDays ?? 90 });
  const pushes = new PushReceiver({ ingestion, store: deps.store, keys: deps.webhookKeys, now });
  const quoting = { timeoutMs: deps.quoteTimeoutMs ?? 2000, stats, now };

  const sellerNamed = (id: string): SellerAdapter => {
    const seller = byId.get(id);
    if (!seller) throw notFound(`seller "${id}" is not registered (known: ${[...byId.keys()].join(", ")})`);
    return seller;
  };

  /**
   * The sellers able to quote that sell `item`: those known to sell it, and
   * those whose data never arrived (what they sell is unknown, so they are
   * asked). When coverage cannot be read, every able seller is asked.
   */
  async function sellersFor(ctx: Context, item: string, able: (a: SellerAdapter) => boolean): Promise<SellerAdapter[]> {
    const candidates = deps.adapters.filter(able);
    try {
      const { reported, selling } = await deps.store.coverageOf(item);
      return candidates.filter((a) => selling.has(a.id) || !reported.has(a.id));
    } catch (e) {
      ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "coverage unreadable: asking every seller");
      return candidates;
    }
  }

  return {
    pullSellers: deps.adapters.filter((a) => a.feed === "pull").map((a) => a.id),

    async quoteFlights(ctx, req) {
      const route = { origin: req.origin, destination: req.destination };
      const sellers = await sellersFor(ctx, routeItem(route), (a) => a.quoteFlights !== undefined);
      const date = req.departureDate!;
      const { items, unavailable } = await fanOut(ctx, sellers, (s, c) => s.quoteFlights!(c, route, date), quoting);
      return { fares: items, unavailableSellers: unavailable };
    },

    async quoteHotelStay(ctx, req) {
      const stay = { checkIn: req.checkIn!, checkOut: req.checkOut! };
      const sellers = await sellersFor(ctx, hotelItem(req.hotelId), (a) => a.quoteHotelStay !== undefined);
      const { items, unavailable } = await fanOut(ctx, sellers, (s, c) => s.quoteHotelStay!(c, req.hotelId, stay), quoting);
      return { offers: items, unavailableSellers: unavailable };
    },

    async syncSeller(ctx, req) {
      const seller = sellerNamed(req.sellerId);
      if (seller.feed !== "pull") {
        throw failedPrecondition(`seller "${seller.id}" pushes its data to our webhook; it cannot be pulled`);
      }
      try {
        const r = await sync.run(ctx, seller, { onlyChanges: req.onlyChanges });
        stats.synced(seller.id, { time: now(), ok: true, error: "" });
        return { hotels: r.hotels, flights: r.flights, rates: r.rates, durationMs: BigInt(r.durationMs), unchanged: r.unchanged };
      } catch (e) {
        const error = e instanceof SellerDataError ? failedPrecondition(`${seller.id} sent data we cannot read: ${e.message}`) : e;
        stats.synced(seller.id, { time: now(), ok: false, error: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    },

    async listSellers() {
      const arrivals = await deps.store.lastArrivals();
      return {
        sellers: deps.adapters.map((a) => {
          const counts = stats.of(a.id);
          const last = arrivals.get(a.id);
          return {
            sellerId: a.id,
            name: a.name,
            feed: a.feed === "pull" ? FeedKind.PULL : FeedKind.PUSH,
            breakerState: a.breakerState(),
            searches: counts.searches,
            bookings: counts.bookings,
            ...(last ? { lastSyncTime: timestampFromDate(last) } : {}),
            reliabilityPermille: counts.reliabilityPermille,
            lookToBook: counts.lookToBook,
            recentErrors: counts.recentFailures.map((f) => ({ time: timestampFromDate(f.time), operation: f.operation, message: f.message })),
            ...(counts.lastSync
              ? { lastSync: { time: timestampFromDate(counts.lastSync.time), ok: counts.lastSync.ok, error: counts.lastSync.error } }
              : {}),
          };
        }),
      };
    },

    async receivePush(ctx, req) {
      const seller = sellerNamed(req.sellerId);
      if (seller.feed !== "push" || !seller.parsePush) {
        throw failedPrecondition(`seller "${seller.id}" does not push; its data is pulled`);
      }
      const outcome = await pushes.receive(ctx, seller, req);
      return { rates: outcome.rates, listings: outcome.listings, duplicate: outcome.duplicate };
    },
  };
}
