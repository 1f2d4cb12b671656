// The search service (itinera.search.v1.SearchService): fans out to
// catalog, pricing and wallet under one deadline (fanout.ts), picks one offer
// per room or flight (offers.ts), applies the wallet markdown, and marks
// prices that are stale or missing instead of failing. The unary methods
// answer the final state; the stream methods send a step as soon as the
// listing is in, then one per dependency that answers, the last complete.
// Every step carries every hotel of the page (or every flight) as far as it
// is known then, so a client replaces what it shows with each step: the
// streams' one rule, written in search.proto.
// Input is checked beforehand by searchValidators (validators.ts); whether an
// airport exists is the catalog's to say, checked here.
import type { Client, Service } from "../../endpoints/service.js";
import type { Context } from "../../endpoints/context.js";
import { invalidArgument, permissionDenied } from "../../endpoints/errors.js";
import type { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { FlightQuery, HotelQuery, SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { flightPlan, flightView, type FlightSearchDeps } from "./flights.js";
import type { FlightCaches } from "./flight-caches.js";
import type { HotelCaches } from "./hotel-caches.js";
import { hotelPlan, hotelView, type HotelSearchDeps } from "./hotels.js";
import { LocalTimes } from "./local-time.js";
import { reliabilityTable } from "./offers.js";
import { finalStep, streamSteps } from "./plan.js";
import { quoting, type QuoteSigner } from "./quoting.js";
import { DEFAULT_BUDGETS, DEFAULT_RELIABILITY, type SearchBudgets } from "./settings.js";

export interface SearchServiceDeps {
  catalog: Client<typeof CatalogService>;
  pricing: Client<typeof PricingService>;
  wallet: Client<typeof WalletService>;
  /** Per-dependency budgets (settings.ts); DEFAULT_BUDGETS when absent. */
  budgets?: SearchBudgets;
  /** Seller reliability in permille, for ties on price; DEFAULT_RELIABILITY when absent. */
  reliability?: Readonly<Record<string, number>>;
  /** The marketplace currency. Default "EUR". */
  currency?: string;
  /** Signs the quotes of a signed-in customer's prices (platform/quotes.ts); none: no quotes. */
  signQuote?: QuoteSigner;
  /** The clock of the quotes' issue and expiry times. */
  now?: () => Date;
  /** What hotel searches keep of the catalog's and pricing's answers (hotel-caches.ts); none: nothing kept. */
  hotelCaches?: HotelCaches;
  /** What flight searches keep of them (flight-caches.ts); none: nothing kept. */
  flightCaches?: FlightCaches;
}

export function searchService(deps: SearchServiceDeps): Service<typeof SearchService> {
  const shared = {
    catalog: deps.catalog,
    pricing: deps.pricing,
    wallet: deps.wallet,
    budgets: deps.budgets ?? DEFAULT_BUDGETS,
    reliability: reliabilityTable(deps.reliability ?? DEFAULT_RELIABILITY),
    currency: deps.currency ?? "EUR",
  };
  const hotels: HotelSearchDeps = { ...shared, caches: deps.hotelCaches };
  const flights: FlightSearchDeps = { ...shared, localTimes: new LocalTimes(), caches: deps.flightCaches };
  const now = deps.now ?? (() => new Date());
  /** The call's quoting: for the token's customer only. */
  const quotingFor = (ctx: Context, query: HotelQuery | FlightQuery) => {
    const q = quoting(deps.signQuote, ctx, now());
    if (query.customerId !== "" && query.customerId !== q.customerId) {
      throw permissionDenied(
        "query.customer_id names a customer other than the caller: leave it empty, the markdown is the signed-in customer's (send their token)",
      );
    }
    return q;
  };

  return {
    async searchHotels(ctx, req) {
      const query = required(req.query);
      const q = quotingFor(ctx, query);
      return { results: await finalStep(hotelPlan(hotels, ctx, query, q.customerId), ctx, (s) => hotelView(hotels, query, q, s)) };
    },
    async *streamHotels(ctx, req) {
      const query = required(req.query);
      const q = quotingFor(ctx, query);
      for await (const results of streamSteps(hotelPlan(hotels, ctx, query, q.customerId).run(ctx), (s) => hotelView(hotels, query, q, s))) {
        yield { results };
      }
    },
    async searchFlights(ctx, req) {
      const query = required(req.query);
      const q = quotingFor(ctx, query);
      return { results: await finalStep(flightPlan(flights, ctx, query, q.customerId), ctx, (s) => flightView(flights, query, q, s)) };
    },
    async *streamFlights(ctx, req) {
      const query = required(req.query);
      const q = quotingFor(ctx, query);
      for await (const results of streamSteps(flightPlan(flights, ctx, query, q.customerId).run(ctx), (s) => flightView(flights, query, q, s))) {
        yield { results };
      }
    },
  };
}

/** The validators reject a request without a query; this keeps the service safe without them. */
function required<Q extends HotelQuery | FlightQuery>(query: Q | undefined): Q {
  if (query === undefined) {
    throw invalidArgument("query: is required", [{ field: "query", rule: "required", description: "is required" }]);
  }
  return query;
}
