// `make bench` (second part): hotel search at a fixed offered rate.
// 1. Starts the whole read side as separate processes (scripts/system.ts) on
//    a fresh embedded PostgreSQL (.data/bench-pg, port 54338) and ports of
//    their own (17xxx), and times the ingestion of the demo inventory
//    through the real path (sandbox sellers → sellers → catalog, pricing).
// 2. Offers hotel searches at 100 and 300 requests/s (bench/load.ts) to the
//    search process over gRPC, for a customer with a wallet balance (signed
//    up by following the link the SMTP sink received; their token on each call).
// 3. Wires the same services in this process with in-memory clients
//    (localClient, same middlewares, same database) and offers the same load,
//    to give the cost of the process boundaries.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { Registry } from "prom-client";
import { backgroundContext, type Principal } from "../endpoints/context.js";
import { asPrincipal, callAs } from "../endpoints/middleware/call-as.js";
import { clientFromEndpoints, endpointsOf, localClient } from "../endpoints/service.js";
import { serverStack } from "../endpoints/stack.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchHotelsRequestSchema, SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { CreditReason, WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { embeddedUrl } from "../platform/embedded-postgres.js";
import { openDatabase } from "../platform/db.js";
import { createLogger } from "../platform/logger.js";
import { createTracing } from "../platform/tracing.js";
import { catalogService } from "../services/catalog/service.js";
import { FlightStore } from "../services/catalog/flight-store.js";
import { HotelStore } from "../services/catalog/hotel-store.js";
import { pageTokens } from "../services/catalog/page-token.js";
import { catalogValidators } from "../services/catalog/validators.js";
import { pricingService } from "../services/pricing/service.js";
import { PricingStore } from "../services/pricing/store.js";
import { PricingRules } from "../services/pricing/rules.js";
import { pricingValidators } from "../services/pricing/validators.js";
import { searchService } from "../services/search/service.js";
import { searchValidators } from "../services/search/validators.js";
import { developmentServiceSecret } from "../services/identity/service-tokens.js";
import { walletService } from "../services/wallet/service.js";
import { WalletStore } from "../services/wallet/store.js";
import { walletValidators } from "../services/wallet/validators.js";
import { DEVELOPMENT_QUOTE_SECRET, quoteSigner } from "../platform/quotes.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import { startSystem } from "../scripts/system.js";
import { fixedRate, percentile, summary, type LoadResult } from "./load.js";
import { ingestionDone, OPERATOR, signUpLink } from "../scripts/demo.js";
import { stays } from "./stays.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PG_PORT = 54338;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATES = (process.env.BENCH_RATES ?? "100,300").split(",").map(Number);
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Hotel searches for the demo inventory's stays (as one customer: each call carries their token). */
function searches(): () => MessageInitShape<typeof SearchHotelsRequestSchema> {
  const stay = stays(12345);
  return () => {
    const { city, checkIn, checkOut } = stay();
    return { query: { query: city, checkIn, checkOut, pageSize: 20 } };
  };
}

async function main() {
  if (!process.env.BENCH_REUSE) await rm(join(ROOT, ".data", "bench-pg"), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: "warn",
    SKYLARK_PORT: "17101",
    CASA_PORT: "17102",
    WANDERLY_PORT: "17103",
    CATALOG_PORT: "17002",
    PRICING_PORT: "17003",
    WALLET_PORT: "17004",
    IDENTITY_PORT: "17001",
    SEARCH_PORT: "17005",
    SELLERS_PORT: "17008",
    // The rest of the system on ports of its own too (the SMTP sink's viewer holds the sign-up link).
    GATEWAY_PORT: "17110",
    SMTP_PORT: "17125",
    SMTP_VIEW_PORT: "17126",
    PAYMENT_PORT: "17006",
    BOOKING_PORT: "17007",
    MAILER_PORT: "17009",
    WEB_PORT: "17080",
  };
  delete env.DATABASE_URL;
  const started = Date.now();
  const system = await startSystem({ env, dataDir: join(ROOT, ".data", "bench-pg"), pgPort: PG_PORT, say, stdio: "ignore" });
  try {
    say(`system ready in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the first ingestion of the demo inventory`);
    if (!(await ingestionDone({ sellersUrl: system.url("sellers"), identityUrl: system.url("identity"), env, since: started, signal: new AbortController().signal, timeoutMs: 600_000 }))) {
      throw new Error("the demo inventory was not ingested within 10 minutes");
    }
    say(`ingestion of the demo inventory (2,000 hotels, 8,000 rooms, 720,000 nightly rates, 77,040 flights): ${((Date.now() - started) / 1000).toFixed(1)} s after start`);

    // Money moves only with the token of a service the wallet names: the benchmark is an operator's tool.
    const identity = createClient(IdentityService, createGrpcTransport({ baseUrl: system.url("identity") }));
    const { accessToken } = await identity.issueServiceToken({ serviceName: OPERATOR, secret: env.OPERATOR_SERVICE_SECRET ?? developmentServiceSecret(OPERATOR) });
    // Searches are a signed-in customer's (the markdown and the quotes are theirs): their token goes with each call.
    // SignUp answers nothing: the customer exists, and is signed in, once the e-mailed link is followed.
    const email = `bench.${Date.now()}@example.com`;
    await identity.signUp({ email, password: "bench password 123", displayName: "Bench" });
    const customer = await identity.verifyEmail({ token: await signUpLink(system.url("smtp"), email) });
    const asCustomer = { headers: { authorization: `Bearer ${customer.tokens!.accessToken}` } };
    const wallet = createClient(WalletService, createGrpcTransport({ baseUrl: system.url("wallet") }));
    await wallet.credit(
      { idempotencyKey: "bench-credit", customerId: customer.customerId, amount: { amountMinor: 10_000n, currency: "EUR" }, reason: CreditReason.PROMOTION },
      { headers: { authorization: `Bearer ${accessToken}` } },
    );

    const next = searches();
    const remote = createClient(SearchService, createGrpcTransport({ baseUrl: system.url("search") }));
    const asPricing = await identity.issueServiceToken({ serviceName: "pricing", secret: env.PRICING_SERVICE_SECRET ?? developmentServiceSecret("pricing") });
    const local = await inProcess(system.url("sellers"), { kind: "service", id: "pricing", roles: [], token: asPricing.accessToken }, customer.customerId);
    const results: Record<string, LoadResult> = {};
    await fixedRate({ rate: 50, seconds: 8, call: () => remote.searchHotels(next(), asCustomer) }); // warm-up: JIT, pools, sessions
    await fixedRate({ rate: 50, seconds: 8, call: () => local.search(next()) });
    for (const rate of RATES) {
      results[`processes ${rate}/s`] = await fixedRate({ rate, seconds: SECONDS, call: () => remote.searchHotels(next(), asCustomer) });
      say(`hotel search, separate processes, ${rate} req/s for ${SECONDS} s: ${summary(results[`processes ${rate}/s`]!)}`);
      results[`in-process ${rate}/s`] = await fixedRate({ rate, seconds: SECONDS, call: () => local.search(next()) });
      say(`hotel search, one process,        ${rate} req/s for ${SECONDS} s: ${summary(results[`in-process ${rate}/s`]!)}`);
    }
    for (const rate of RATES) {
      const a = results[`processes ${rate}/s`]!;
      const b = results[`in-process ${rate}/s`]!;
      const ratio = (p: number) => (percentile(a.latenciesMs, p) / percentile(b.latenciesMs, p)).toFixed(2);
      say(`at ${rate} req/s: separate processes / one process = ${ratio(50)}x at p50, ${ratio(99)}x at p99`);
    }
    await local.close();
  } finally {
    await system.stop();
  }
}

async function inProcess(sellersUrl: string, pricingPrincipal: Principal, customerId: string) {
  const log = createLogger({ service: "bench-in-process", destination: pino.destination({ dest: "/dev/null", sync: false, minLength: 4096 }) });
  const tracing = createTracing({ serviceName: "bench-in-process" });
  const registry = new Registry();
  const stack = (validators: Parameters<typeof serverStack>[0]["validators"]) => serverStack({ registry, tracer: tracing.tracer, validators });
  const open = (schema: string, dir: string) =>
    openDatabase({ url: embeddedUrl(PG_PORT), dataDir: "unused", embeddedPort: PG_PORT, schema, migrationsDir: join(ROOT, "services", dir, "migrations"), log, pool: { min: 2, max: 10 } });
  const [catalogDb, pricingDb, walletDb] = await Promise.all([open("catalog", "catalog"), open("pricing", "pricing"), open("wallet", "wallet")]);
  const pricingStore = new PricingStore(pricingDb.knex);
  const asSearch: Principal = { kind: "service", id: "search", roles: [] };
  const catalog = clientFromEndpoints(
    CatalogService,
    asPrincipal(
      endpointsOf(
        CatalogService,
        catalogService({ hotels: new HotelStore(catalogDb.knex), flights: new FlightStore(catalogDb.knex), pageTokens: pageTokens("sandbox-catalog-page-tokens") }),
        ...stack(catalogValidators()),
      ),
      asSearch,
    ),
  );
  const sellers = clientOf(SellersService, grpcTransport(sellersUrl), callAs(async () => pricingPrincipal));
  const pricing = clientFromEndpoints(
    PricingService,
    asPrincipal(
      endpointsOf(PricingService, pricingService({ store: pricingStore, sellers, rules: await PricingRules.load(() => pricingStore.activeRules()) }), ...stack(pricingValidators())),
      asSearch,
    ),
  );
  const wallet = clientFromEndpoints(
    WalletService,
    asPrincipal(endpointsOf(WalletService, walletService({ store: new WalletStore(walletDb.knex) }), ...stack(walletValidators())), asSearch),
  );
  const signQuote = quoteSigner(DEVELOPMENT_QUOTE_SECRET);
  const search = localClient(SearchService, searchService({ catalog, pricing, wallet, signQuote }), ...stack(searchValidators({ now: () => new Date() })));
  const principal: Principal = { kind: "customer", id: customerId, roles: [] };
  return {
    search: (req: MessageInitShape<typeof SearchHotelsRequestSchema>) => search.searchHotels(backgroundContext({ log, principal }), req),
    close: async () => {
      await Promise.all([catalogDb.close(), pricingDb.close(), walletDb.close()]);
      await tracing.shutdown();
    },
  };
}

await main();
