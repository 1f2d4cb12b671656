// Test fixture: the sellers service on its own fresh database, with fake
// catalog and pricing services that record every batch they are sent (they
// are other services: fakes are allowed), called through the kit (localClient
// with the validation middleware), as main.ts wires it minus the transport.
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Registry } from "prom-client";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { endpointsOf, localClient, type Client, type EndpointSet, type Service } from "../../endpoints/service.js";
import type {
  CatalogService,
  UpsertFlightsRequest,
  UpsertHotelsRequest,
} from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { CatalogService as CatalogDesc } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { IngestHotelRatesRequest, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { PricingService as PricingDesc } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import type { SellerAdapter } from "./adapter.js";
import type { BatchLimits } from "./ingestion.js";
import { signPush } from "./push.js";
import { sellersService, type SellersServiceImpl } from "./service.js";
import { SellersStore } from "./store.js";
import { sellersValidators } from "./validators.js";

export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
export const TEST_SECRET = "test-webhook-secret";

const unimplemented = async (): Promise<never> => {
  throw new KitError(Code.Unimplemented, "not part of the fake");
};

/** A catalog that records UpsertHotels and UpsertFlights; `failures` makes the next calls fail with Unavailable. */
export function fakeCatalog() {
  const recorded = { hotels: [] as UpsertHotelsRequest[], flights: [] as UpsertFlightsRequest[], failures: 0 };
  const fail = () => {
    if (recorded.failures > 0) {
      recorded.failures--;
      throw new KitError(Code.Unavailable, "catalog is down (fake)");
    }
  };
  const impl: Service<typeof CatalogService> = {
    async upsertHotels(_ctx, req) {
      fail();
      recorded.hotels.push(req);
      return { created: req.hotels.length, updated: 0 };
    },
    async upsertFlights(_ctx, req) {
      fail();
      recorded.flights.push(req);
      return { created: req.flights.length, updated: 0 };
    },
    searchHotels: unimplemented,
    getHotels: unimplemented,
    listFlights: unimplemented,
    getAirports: unimplemented,
    listAirports: unimplemented,
  };
  return { recorded, impl, client: localClient(CatalogDesc, impl) };
}

/** A pricing service that records IngestHotelRates; `failures` makes the next calls fail with Unavailable. */
export function fakePricing() {
  const recorded = { rates: [] as IngestHotelRatesRequest[], failures: 0 };
  const impl: Service<typeof PricingService> = {
    async ingestHotelRates(_ctx, req) {
      if (recorded.failures > 0) {
        recorded.failures--;
        throw new KitError(Code.Unavailable, "pricing is down (fake)");
      }
      recorded.rates.push(req);
      return { rates: req.rates.length, totals: 0 };
    },
    getHotelOffers: unimplemented,
    getFlightFares: unimplemented,
    invalidateRoom: unimplemented,
  };
  return { recorded, impl, client: localClient(PricingDesc, impl) };
}

export interface SellersFixtureOptions {
  adapters: SellerAdapter[];
  batchLimits?: Partial<BatchLimits>;
  quoteTimeoutMs?: number;
  now?: () => Date;
}

export interface SellersFixture {
  client: Client<typeof SellersService>;
  /** The implementation, to wire with other middlewares (the webhook test). */
  impl: SellersServiceImpl;
  /** Endpoints with the validation middleware, as the webhook calls them. */
  endpoints: EndpointSet;
  catalog: ReturnType<typeof fakeCatalog>["recorded"];
  pricing: ReturnType<typeof fakePricing>["recorded"];
  registry: Registry;
  /** The service's own store, to arrange bookkeeping. */
  store: SellersStore;
  ctx: Context;
  database: Database;
  /** Rows of the service's tables. */
  counts(): Promise<{ pushes: number; coverage: number; feeds: number }>;
  close(): Promise<void>;
}

export async function sellersFixture(opts: SellersFixtureOptions): Promise<SellersFixture> {
  const log = pino({ level: "silent" });
  const database = await testServiceDatabase({ schema: "sellers", migrationsDir: MIGRATIONS, log, poolMax: 5 });
  const catalog = fakeCatalog();
  const pricing = fakePricing();
  const registry = new Registry();
  const store = new SellersStore(database.knex);
  const impl = sellersService({
    adapters: opts.adapters,
    catalog: catalog.client,
    pricing: pricing.client,
    store,
    webhookKeys: new Map([["wanderly", TEST_SECRET]]),
    registry,
    ...(opts.batchLimits ? { batchLimits: opts.batchLimits } : {}),
    ...(opts.quoteTimeoutMs !== undefined ? { quoteTimeoutMs: opts.quoteTimeoutMs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const validators = sellersValidators(opts.now);
  return {
    client: localClient(SellersService, impl, validation(validators)),
    impl,
    endpoints: endpointsOf(SellersService, impl, validation(validators)),
    catalog: catalog.recorded,
    pricing: pricing.recorded,
    registry,
    store,
    ctx: backgroundContext({ log }),
    database,
    async counts() {
      const count = async (table: string) => {
        const [{ n }] = (await database.knex(table).count({ n: "*" })) as [{ n: bigint }];
        return Number(n);
      };
      return { pushes: await count("pushes"), coverage: await count("coverage"), feeds: await count("feeds") };
    },
    async close() {
      for (const a of opts.adapters) a.close();
      await database.close();
    },
  };
}

/** A push in Wanderly's shape: one New York hotel, two nights at GBP 80.00, one LIS-JFK fare. */
/** The headers a push seller sends (the generic names): its push id, and the signature of time, id and body (signed at `at`, default now). */
export function pushHeaders(body: Uint8Array | string, pushId: string, opts: { key?: string; at?: Date } = {}): Record<string, string> {
  const t = Math.floor((opts.at ?? new Date()).getTime() / 1000);
  return { "X-Push-Id": pushId, "X-Push-Signature": signPush(opts.key ?? TEST_SECRET, pushId, body, t) };
}

export function samplePushBody(pushId: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      push_id: pushId,
      sent_at: "2026-11-20T09:00:00.000Z",
      listings: [
        {
          code: "P000002",
          name: "Azure Midtown",
          city: { id: "new-york-us", name: "New York" },
          country: { code: "US", name: "United States" },
          stars: 3,
          address: "5 W 45th St",
          amenities: [],
          images: [],
          rooms: [{ code: "DBL-STD", name: "Double", occupancy: 2, amenities: [] }],
        },
      ],
      city_aliases: { "new-york-us": ["Gotham"] },
      rates: [
        { property: "P000002", room: "DBL-STD", night: "2026-12-01", price_minor: 8000, currency: "GBP", available: 2 },
        { property: "P000002", room: "DBL-STD", night: "2026-12-02", price_minor: 8000, currency: "GBP", available: 2 },
      ],
      fares: [{ number: "SL100", date: "2026-12-01", from: "LIS", to: "JFK", cabin: "economy", price_minor: 7000, currency: "GBP", seats: 3 }],
    }),
  );
}
