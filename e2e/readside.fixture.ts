// Test support: the whole read side in one test process, over the real wire.
// The sandbox sellers (skylark, casa, wanderly) serve a small deterministic
// inventory on port 0; catalog, pricing, wallet, sellers and search each run
// their own server on port 0, wired as their main.ts wires them
// (services.fixture.ts), on one fresh test database with a schema per
// service (as main.ts does with one DATABASE_URL). Nothing is synced at
// start: tests pull with SellersService.SyncSeller and ask wanderly to push.
// Tokens come from testTokens (no identity process): every server verifies
// them as it verifies identity's. A test's call without a principal goes as
// the first service the method's contract names (GetHotels as web,
// InvalidateRoom as sellers, SearchHotels as web...), as production does.
//
//   const rs = await startReadSide();
//   await rs.clients.sellers.syncSeller(rs.ctx(), { sellerId: "casa" });
//   const { results } = await rs.clients.search.searchHotels(rs.ctx(1000), { query });
//   await rs.close();
import { pino } from "pino";
import { backgroundContext, derive, type Context, type Principal } from "../endpoints/context.js";
import type { Client } from "../endpoints/service.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { testDatabase } from "../platform/testing.js";
import { utcToday } from "../sandbox/calendar.js";
import { startCasa } from "../sandbox/casa.js";
import { generateInventory, type Inventory, type InventoryParams } from "../sandbox/inventory.js";
import type { RunningSeller } from "../sandbox/seller-server.js";
import { startSkylark } from "../sandbox/skylark.js";
import { startWanderly, type RunningWanderly } from "../sandbox/wanderly.js";
import { testTokens } from "../services/identity/testing.js";
import type { SearchBudgets } from "../services/search/settings.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import { lateTransport } from "./late-transport.js";
import { serveCatalog, servePricing, serveSearch, serveSellers, servicePrincipalOf, serveWallet, type Served } from "./services.fixture.js";
import type { PrincipalOf } from "../endpoints/middleware/call-as.js";
import type { Middleware } from "../endpoints/endpoint.js";
import { freePort } from "../platform/processes.testing.js";


export const WEBHOOK_SECRET = "e2e-webhook-secret";

/** 3 cities (Lisbon, Porto, Madrid), 5 hotels each, 3 airport pairs, 20 days. */
export const SMALL_INVENTORY: InventoryParams = { seed: 42, cities: 3, hotelsPerCity: 5, days: 20, pairs: 3 };

/**
 * Search's budgets for these tests: the method's own 1 s deadline as in
 * production, but each dependency allowed more of it than the production
 * defaults (300/400/150 ms), so that a loaded 2-core machine running other
 * tests does not degrade answers the tests expect complete.
 */
export const E2E_BUDGETS: SearchBudgets = {
  catalogMs: 600,
  pricingMs: 700,
  walletMs: 500,
  totalMs: 950,
  reserveMs: 40,
  liveReserveMs: 100,
};

export interface ReadSideOptions {
  /** The sandbox's first day of rates; default today's UTC date (the services use the real clock). */
  today?: string;
  /** Share of hotels and flights wanderly sells; default 0.3 (4 of the 15 hotels). */
  wanderlyShare?: number;
  /** How long a seller's open breaker waits before a probe; default 1000 ms (production: 10 s). */
  breakerResetMs?: number;
  budgets?: SearchBudgets;
}

export interface ReadSide {
  readonly inventory: Inventory;
  readonly today: string;
  readonly sandbox: { readonly skylark: RunningSeller; readonly casa: RunningSeller; readonly wanderly: RunningWanderly };
  readonly urls: Readonly<Record<"catalog" | "pricing" | "wallet" | "sellers" | "search", string>>;
  /** Plain gRPC clients of each server (no retries, no breakers): what an outside caller sees. */
  readonly clients: {
    readonly catalog: Client<typeof CatalogService>;
    readonly pricing: Client<typeof PricingService>;
    readonly wallet: Client<typeof WalletService>;
    readonly sellers: Client<typeof SellersService>;
    readonly search: Client<typeof SearchService>;
  };
  /** A caller's context; with `timeoutMs`, its deadline (sent as the call's timeout). */
  ctx(timeoutMs?: number): Context;
  /** A call as a signed-in customer: their token, which search prices and quotes for. */
  customerCtx(customerId: string, timeoutMs?: number): Promise<Context>;
  /** The same, carrying a service's token: what moving wallet money (Credit) needs. */
  serviceCtx(timeoutMs?: number): Context;
  /** Stops every seller, server and pool, and drops the database. */
  close(): Promise<void>;
}

export async function startReadSide(opts: ReadSideOptions = {}): Promise<ReadSide> {
  const today = opts.today ?? utcToday();
  const inventory = generateInventory({ ...SMALL_INVENTORY, today });
  const log = pino({ level: process.env.E2E_LOG_LEVEL ?? "silent" });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    // Last started, first stopped; every step runs even when one fails.
    const errors: unknown[] = [];
    for (const c of closers.splice(0).reverse()) await c().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw new AggregateError(errors, "the read side did not close cleanly");
  };

  try {
    // One database, a schema per service: as main.ts with one DATABASE_URL.
    const database = await testDatabase();
    closers.push(() => database.drop());

    const skylark = await startSkylark({ inventory });
    closers.push(() => skylark.close());
    const casa = await startCasa({ inventory });
    closers.push(() => casa.close());

    const started = async (s: Promise<Served>) => {
      const served = await s;
      closers.push(() => served.close());
      return served.server.url;
    };
    const tokens = await testTokens();
    const service = await tokens.service("operator", 3600);
    const wallet = await started(serveWallet(database.url, tokens.authenticate));
    const catalog = await started(serveCatalog(database.url, tokens));
    const toSellers = lateTransport("sellers");
    const pricing = await started(servePricing(database.url, toSellers.transport, tokens));

    // Sellers calls wanderly (quotes) and wanderly calls sellers (its webhook):
    // wanderly's port is chosen first, and it starts once sellers listens, silent
    // until a test asks it to push.
    const wanderlyPort = await freePort();
    const sellers = await started(
      serveSellers(database.url, {
        catalogUrl: catalog,
        pricingUrl: pricing,
        sellerUrls: { skylark: skylark.url, casa: casa.url, wanderly: `http://127.0.0.1:${wanderlyPort}` },
        webhookKeys: new Map([["wanderly", WEBHOOK_SECRET]]),
        breaker: { resetTimeoutMs: opts.breakerResetMs ?? 1000 },
        tokens,
      }),
    );
    toSellers.connect(sellers);
    const wanderly = await startWanderly({
      inventory,
      port: wanderlyPort,
      share: opts.wanderlyShare ?? 0.3,
      pushOnStart: false,
      intervalMs: 0,
      webhookUrl: `${sellers}/webhooks/wanderly`,
      secret: WEBHOOK_SECRET,
      retryBaseMs: 100,
      retryMaxMs: 1000,
      maxAttempts: 5,
      log,
    });
    closers.push(() => wanderly.close());

    const search = await started(
      serveSearch({ catalogUrl: catalog, pricingUrl: pricing, walletUrl: wallet, budgets: opts.budgets ?? E2E_BUDGETS, tokens }),
    );

    const urls = { catalog, pricing, wallet, sellers, search };
    const principals = new Map<string, PrincipalOf>();
    const as = (name: string) => principals.get(name) ?? principals.set(name, servicePrincipalOf(tokens, name)).get(name)!;
    /** A call with no principal goes as the first service its contract names. */
    const asNamed: Middleware = (next, info) => {
      const named = info.callers?.services[0];
      if (!named) return next;
      return async (ctx, req) => next(ctx.principal ? ctx : derive(ctx, { principal: await as(named)(ctx) }), req);
    };
    const callerContext = (timeoutMs?: number, principal?: Principal) =>
      backgroundContext({ log, principal, ...(timeoutMs !== undefined ? { deadline: Date.now() + timeoutMs } : {}) });
    return {
      inventory,
      today,
      sandbox: { skylark, casa, wanderly },
      urls,
      clients: {
        catalog: clientOf(CatalogService, grpcTransport(catalog), asNamed),
        pricing: clientOf(PricingService, grpcTransport(pricing), asNamed),
        wallet: clientOf(WalletService, grpcTransport(wallet), asNamed),
        sellers: clientOf(SellersService, grpcTransport(sellers), asNamed),
        search: clientOf(SearchService, grpcTransport(search), asNamed),
      },
      ctx: (timeoutMs) => callerContext(timeoutMs),
      customerCtx: async (customerId, timeoutMs) => callerContext(timeoutMs, await tokens.customer(customerId, 3600)),
      serviceCtx: (timeoutMs) => callerContext(timeoutMs, service),
      close,
    };
  } catch (e) {
    await close().catch(() => {});
    throw e;
  }
}
