// Test support: each read-side service served the way its main.ts serves it
// (its runtime, its schema migrated on the database, endpointsOf +
// serverStack + serveService on startServer, peers through clientOf(grpc
// transport) + clientStack), minus what a process owns alone: environment
// parsing, signal handling and, for sellers, the sync scheduler (tests pull
// with SyncSeller). Each server listens on port 0; every service may share one
// database, each in its own schema, as main.ts does with one DATABASE_URL.
// Tokens come from testTokens (no identity process): each server verifies
// callers' as identityAccess does, and calls its peers with its own.
import { fileURLToPath } from "node:url";
import type { Transport } from "@connectrpc/connect";
import type { Principal } from "../endpoints/context.js";
import { asPrincipal, type PrincipalOf } from "../endpoints/middleware/call-as.js";
import { endpointsOf } from "../endpoints/service.js";
import { clientStack, serverStack } from "../endpoints/stack.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { openDatabase, type Database } from "../platform/db.js";
import { startRuntime, type Runtime } from "../platform/runtime.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import type { Authenticate } from "../transport/context.js";
import { serveService } from "../transport/serve.js";
import { startServer, type RunningServer, type ServerOptions } from "../transport/server.js";
import { FlightStore } from "../services/catalog/flight-store.js";
import { HotelStore } from "../services/catalog/hotel-store.js";
import { catalogService } from "../services/catalog/service.js";
import { catalogValidators } from "../services/catalog/validators.js";
import { PricingRules } from "../services/pricing/rules.js";
import { pricingService } from "../services/pricing/service.js";
import { PricingStore } from "../services/pricing/store.js";
import { pricingValidators } from "../services/pricing/validators.js";
import { searchService } from "../services/search/service.js";
import type { SearchBudgets } from "../services/search/settings.js";
import { searchValidators } from "../services/search/validators.js";
import { createAdapters } from "../services/sellers/adapters/index.js";
import { FxTable, SANDBOX_FX_RATES } from "../services/sellers/fx.js";
import type { SellerBreakerOptions } from "../services/sellers/seller-http.js";
import { sellersService } from "../services/sellers/service.js";
import { SellersStore } from "../services/sellers/store.js";
import { sellersValidators } from "../services/sellers/validators.js";
import { webhookRoute } from "../transport/webhook.js";
import { pushWebhook } from "../services/sellers/webhook.js";
import { walletService } from "../services/wallet/service.js";
import { WalletStore } from "../services/wallet/store.js";
import { walletValidators } from "../services/wallet/validators.js";
import type { TestTokens } from "../services/identity/testing.js";

/** A service's own principal for its calls, as identityAccess's servicePrincipal gives it: one signed token, reused. */
export function servicePrincipalOf(tokens: TestTokens, name: string): PrincipalOf {
  let principal: Promise<Principal> | undefined;
  return () => (principal ??= tokens.service(name, 3600));
}
import { DEVELOPMENT_QUOTE_SECRET, quoteSigner } from "../platform/quotes.js";

/** A served service and how to stop everything it holds. */
export interface Served {
  readonly server: RunningServer;
  readonly rt: Runtime;
  close(): Promise<void>;
}

/** What a service's main.ts would get from startRuntime. Logs silent unless E2E_LOG_LEVEL says otherwise. */
export function runtime(name: string): Runtime {
  return startRuntime(name, { LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "silent" });
}

/** The service's schema on the shared database, migrated, as openDatabase in main.ts does with one DATABASE_URL. */
export function serviceDatabase(url: string, schema: string, rt: Runtime): Promise<Database> {
  return openDatabase({
    url,
    dataDir: ".data/unused",
    embeddedPort: 54329,
    schema,
    migrationsDir: fileURLToPath(new URL(`../services/${schema}/migrations`, import.meta.url)),
    log: rt.log,
    pool: { min: 0, max: 5 },
  });
}

type Extra = Pick<ServerOptions, "ready" | "http">;
type Closer = () => Promise<void> | void;

/** Serves `routes` on port 0; close() stops the server, then runs `closers` in order, then the runtime's. */
async function serve(rt: Runtime, routes: ServerOptions["routes"], extra: Extra, closers: Closer[]): Promise<Served> {
  const closeAll = async () => {
    for (const c of closers) await c();
    await rt.close();
  };
  let server: RunningServer;
  try {
    server = await startServer({ port: 0, log: rt.log, routes, metrics: rt.registry, ...extra });
  } catch (e) {
    await closeAll();
    throw e;
  }
  return {
    server,
    rt,
    async close() {
      await server.close(1000);
      await closeAll();
    },
  };
}


/** The wallet; `authenticate` verifies bearer tokens (main.ts: identityAccess; tests: testTokens). */
export async function serveWallet(databaseUrl: string, authenticate: Authenticate): Promise<Served> {
  const rt = runtime("wallet");
  const db = await serviceDatabase(databaseUrl, "wallet", rt);
  const endpoints = endpointsOf(
    WalletService,
    walletService({ store: new WalletStore(db.knex), pageTokenSecret: "e2e-wallet-page-tokens" }),
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: walletValidators() }),
  );
  return serve(rt, (r) => serveService(r, WalletService, endpoints, { log: rt.log, authenticate }), { ready: db.ready }, [db.close]);
}

export async function serveCatalog(databaseUrl: string, tokens: TestTokens): Promise<Served> {
  const rt = runtime("catalog");
  const db = await serviceDatabase(databaseUrl, "catalog", rt);
  const catalog = catalogService({
    hotels: new HotelStore(db.knex),
    flights: new FlightStore(db.knex),
    pageTokenSecret: "e2e-catalog-page-tokens",
  });
  const endpoints = endpointsOf(
    CatalogService,
    catalog,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: catalogValidators() }),
  );
  const authenticate = tokens.authenticate;
  return serve(rt, (r) => serveService(r, CatalogService, endpoints, { log: rt.log, authenticate }), { ready: db.ready }, [db.close]);
}

/** Pricing; `sellersTransport` reaches the sellers service (late-bound: sellers starts after pricing). */
export async function servePricing(databaseUrl: string, sellersTransport: Transport, tokens: TestTokens): Promise<Served> {
  const rt = runtime("pricing");
  const db = await serviceDatabase(databaseUrl, "pricing", rt);
  const store = new PricingStore(db.knex);
  let rules: PricingRules;
  try {
    rules = await PricingRules.load(() => store.activeRules());
  } catch (e) {
    await db.close();
    throw e;
  }
  const callAs = servicePrincipalOf(tokens, "pricing");
  const sellers = clientOf(SellersService, sellersTransport, ...clientStack({ registry: rt.registry, tracer: rt.tracer, callAs }).middlewares);
  const endpoints = endpointsOf(
    PricingService,
    pricingService({ store, sellers, rules }),
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: pricingValidators() }),
  );
  const authenticate = tokens.authenticate;
  return serve(rt, (r) => serveService(r, PricingService, endpoints, { log: rt.log, authenticate }), { ready: db.ready }, [db.close]);
}

export interface SellersWiring {
  catalogUrl: string;
  pricingUrl: string;
  /** Each sandbox seller's API root, by seller id. */
  sellerUrls: Readonly<Record<string, string>>;
  /** Each push seller's webhook key. */
  webhookKeys: ReadonlyMap<string, string>;
  /** The sellers' circuit breakers (main.ts keeps the defaults; tests shorten resetTimeoutMs). */
  breaker?: SellerBreakerOptions;
  tokens: TestTokens;
}

/** A sync of the demo inventory may take minutes: SyncSeller's limit, as in main.ts. */
const SYNC_TIMEOUT_MS = 30 * 60_000;

export async function serveSellers(databaseUrl: string, w: SellersWiring): Promise<Served> {
  const rt = runtime("sellers");
  const db = await serviceDatabase(databaseUrl, "sellers", rt);
  const peers = clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs: 120_000, callAs: servicePrincipalOf(w.tokens, "sellers") });
  const adapters = createAdapters(w.sellerUrls, {
    fx: new FxTable(SANDBOX_FX_RATES),
    throttle: { ratePerSecond: 40, burst: 20 },
    ...(w.breaker ? { breaker: w.breaker } : {}),
    onBreakerChange: (seller, state) => rt.log.warn({ seller, state }, "seller breaker changed"),
  });
  const sellers = sellersService({
    adapters,
    catalog: clientOf(CatalogService, grpcTransport(w.catalogUrl), ...peers.middlewares),
    pricing: clientOf(PricingService, grpcTransport(w.pricingUrl), ...peers.middlewares),
    store: new SellersStore(db.knex),
    webhookKeys: w.webhookKeys,
    registry: rt.registry,
    quoteTimeoutMs: 2000,
  });
  const endpoints = endpointsOf(
    SellersService,
    sellers,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: sellersValidators(), defaultTimeoutMs: SYNC_TIMEOUT_MS }),
  );
  return serve(
    rt,
    (r) => serveService(r, SellersService, endpoints, { log: rt.log, authenticate: w.tokens.authenticate }),
    { ready: db.ready, http: webhookRoute({ ...pushWebhook(asPrincipal(endpoints, { kind: "service", id: "sellers", roles: [] })), log: rt.log }) },
    [() => adapters.forEach((a) => a.close()), () => peers.breaker.close(), db.close],
  );
}

export interface SearchWiring {
  catalogUrl: string;
  pricingUrl: string;
  walletUrl: string;
  budgets: SearchBudgets;
  tokens: TestTokens;
}

export async function serveSearch(w: SearchWiring): Promise<Served> {
  const rt = runtime("search");
  const callAs = servicePrincipalOf(w.tokens, "search");
  const stackFor = (timeoutMs: number) => clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs, callAs });
  const stacks = { catalog: stackFor(w.budgets.catalogMs), pricing: stackFor(w.budgets.pricingMs), wallet: stackFor(w.budgets.walletMs) };
  const search = searchService({
    catalog: clientOf(CatalogService, grpcTransport(w.catalogUrl), ...stacks.catalog.middlewares),
    pricing: clientOf(PricingService, grpcTransport(w.pricingUrl), ...stacks.pricing.middlewares),
    wallet: clientOf(WalletService, grpcTransport(w.walletUrl), ...stacks.wallet.middlewares),
    budgets: w.budgets,
    signQuote: quoteSigner(DEVELOPMENT_QUOTE_SECRET),
  });
  const endpoints = endpointsOf(
    SearchService,
    search,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: searchValidators({ now: () => new Date() }) }),
  );
  return serve(rt, (r) => serveService(r, SearchService, endpoints, { log: rt.log, authenticate: w.tokens.authenticate }), {}, [
    () => Object.values(stacks).forEach((s) => s.breaker.close()),
  ]);
}
