// The search process: itinera.search.v1.SearchService on SEARCH_PORT (7005),
// Connect, gRPC and gRPC-Web on one port, with no database of its own. It
// calls catalog (CATALOG_URL), pricing (PRICING_URL) and wallet (WALLET_URL)
// over gRPC, each through the client stack (deadline propagation, breaker,
// retry) capped at its budget: SEARCH_CATALOG_MS (300), SEARCH_PRICING_MS
// (400), SEARCH_WALLET_MS (150) — near each dependency's 99.5th percentile —
// within SEARCH_TOTAL_MS (900) of the method's 1000 ms deadline.
// SELLER_RELIABILITY ("skylark=990,casa=980,wanderly=950") breaks price ties.
// Callers' tokens are verified against identity's JWKS (IDENTITY_URL): a
// customer's token gets their wallet markdown and quotes signed with
// QUOTE_SECRET (platform/quotes.ts); no token, list prices only. Its calls to
// catalog, pricing and wallet carry its own service token (SERVICE_SECRET),
// fetched outside the budgets' breakers.
// What the catalog and pricing answered is cached for SEARCH_CACHE_TTL_MS
// (60000 ± 4 %; 0: no cache), at most SEARCH_CACHE_ENTRIES (1000) entries
// in each cache (hotel listings, hotel offers, airports, flights, fares), and
// dropped on the change signals pricing and the catalog send on the database
// (DATABASE_URL, or the embedded PostgreSQL): while search cannot listen to
// them, nothing is served from the cache.
import { endpointsOf } from "../../endpoints/service.js";
import { clientStack, serverStack } from "../../endpoints/stack.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { Counter } from "prom-client";
import { listenForSignals } from "../../platform/change-signals.js";
import { config, int, port, peerUrls } from "../../platform/config.js";
import { EMBEDDED_PORT, embeddedUrl } from "../../platform/embedded-postgres.js";
import { quoteSettings, quoteSigner } from "../../platform/quotes.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import type { CacheSetOptions } from "./cache.js";
import { cacheSignals, setCachesLive } from "./cache-signals.js";
import { flightCaches } from "./flight-caches.js";
import { hotelCaches } from "./hotel-caches.js";
import { searchService } from "./service.js";
import { budgetSettings, reliabilitySetting } from "./settings.js";
import { searchValidators } from "./validators.js";
import { identityAccess, identitySettings } from "../identity/access.js";

async function main() {
  const rt = startRuntime("search", process.env);
  const { port: listenPort, catalogUrl, pricingUrl, walletUrl, reliability, identityUrl, serviceSecret, quoteSecret, cacheTtlMs, cacheEntries, ...budgets } = config(process.env, {
    port: port("SEARCH_PORT", 7005),
    ...quoteSettings(),
    catalogUrl: peerUrls("CATALOG_URL", "http://127.0.0.1:7002"),
    pricingUrl: peerUrls("PRICING_URL", "http://127.0.0.1:7003"),
    walletUrl: peerUrls("WALLET_URL", "http://127.0.0.1:7004"),
    reliability: reliabilitySetting(),
    ...budgetSettings(),
    ...identitySettings("search"),
    cacheTtlMs: int("SEARCH_CACHE_TTL_MS", 60_000, { min: 0, max: 3_600_000 }),
    cacheEntries: int("SEARCH_CACHE_ENTRIES", 1000, { min: 1, max: 100_000 }),
  });
  const auth = identityAccess({ identityUrl, serviceSecret, serviceName: "search", registry: rt.registry, tracer: rt.tracer, log: rt.log });

  // One client stack (and so one set of circuits) per peer, capped at its budget.
  const stackFor = (timeoutMs: number) => clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs, callAs: auth.servicePrincipal });
  const catalogStack = stackFor(budgets.catalogMs);
  const pricingStack = stackFor(budgets.pricingMs);
  const walletStack = stackFor(budgets.walletMs);

  const lookups = new Counter({
    name: "search_cache_lookups_total",
    help: "Search cache lookups: hit, miss, shared (waited for another search's load) or off (not live, or no cache); unkept: a miss whose answer was not stored (stale, incomplete, or overtaken by a change)",
    labelNames: ["cache", "result"],
    registers: [rt.registry],
  });
  const cacheOptions: CacheSetOptions = { ttlMs: cacheTtlMs, maxEntries: cacheEntries, live: false, observe: (cache, result) => lookups.inc({ cache, result }) };
  const caches = { hotels: hotelCaches(cacheOptions), flights: flightCaches(cacheOptions) };
  const signals =
    cacheTtlMs > 0
      ? listenForSignals({
          url: rt.databaseUrl ?? embeddedUrl(EMBEDDED_PORT),
          log: rt.log,
          signals: cacheSignals(caches),
          onLive: (live) => setCachesLive(caches, live),
        })
      : undefined;

  const search = searchService({
    catalog: clientOf(CatalogService, grpcTransport(catalogUrl, { log: rt.log }), ...catalogStack.middlewares),
    pricing: clientOf(PricingService, grpcTransport(pricingUrl, { log: rt.log }), ...pricingStack.middlewares),
    wallet: clientOf(WalletService, grpcTransport(walletUrl, { log: rt.log }), ...walletStack.middlewares),
    budgets,
    reliability,
    signQuote: quoteSigner(quoteSecret),
    hotelCaches: caches.hotels,
    flightCaches: caches.flights,
  });
  const endpoints = endpointsOf(
    SearchService,
    search,
    ...serverStack({
      registry: rt.registry,
      tracer: rt.tracer,
      validators: searchValidators({ now: () => new Date() }),
    }),
  );

  const server = await startServer({
    port: listenPort,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) => serveService(router, SearchService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
    metrics: rt.registry,
    authenticate: auth.authenticate,
  });

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    {
      name: "circuits",
      close: async () => [catalogStack, pricingStack, walletStack, auth.stack].forEach((s) => s.breaker.close()),
    },
    { name: "change signals", close: async () => signals?.close() },
    { name: "tracing", close: rt.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a port in use: say why in one line, exit non-zero.
  console.error(`search failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
