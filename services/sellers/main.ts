// The sellers process: itinera.sellers.v1.SellersService on SELLERS_PORT
// (7008), plus the sellers' webhook POST /webhooks/<seller_id> on the same
// port, over PostgreSQL schema "sellers". It writes to catalog (CATALOG_URL)
// and pricing (PRICING_URL), calls the sellers at their SANDBOX_*_URL, and
// pulls the pull sellers at start and every SYNC_INTERVAL_MS (one replica per
// seller at a time: each sync takes the seller's job lock). It books paid
// reservations with their sellers (consumer group "sellers-bookings" on the
// bus: BUS, NATS_URL), confirming or failing them at booking (BOOKING_URL)
// and refunding at payment (PAYMENT_URL) as its own service principal
// (IDENTITY_URL, SERVICE_SECRET); a seller may keep failing for
// SELLER_BOOKING_DEADLINE_MS after the reservation was made (a booking tried
// SELLERS_BOOKING_MAX_ATTEMPTS times first goes to the dead letters). Callers' tokens
// are verified against identity's JWKS; its writes to catalog and pricing
// carry its own service token; its scheduler and webhook call its own
// endpoints in process as "sellers".
import { clientFromEndpoints, endpointsOf } from "../../endpoints/service.js";
import { asPrincipal } from "../../endpoints/middleware/call-as.js";
import { clientStack, serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { config, int, list, port, peerUrls, secretMap, type Setting, url } from "../../platform/config.js";
import { advisoryExclusive } from "../../platform/job-lock.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { openBus } from "../../transport/bus/open.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { deadLetterEndpoints } from "../bus-admin/endpoints.js";
import { identityAccess, identitySettings } from "../identity/access.js";
import { createAdapters, SELLER_REGISTRY } from "./adapters/index.js";
import { SellerBookingStore } from "./booking-store.js";
import { BOOKINGS_GROUP, DEFAULT_BOOKING_DEADLINE_MS, DEFAULT_BOOKING_MAX_ATTEMPTS, sellerBookings, subscribeSellerBookings } from "./bookings.js";
import { FxTable, parseFxRates, SANDBOX_FX_RATES } from "./fx.js";
import { SyncScheduler } from "./scheduler.js";
import { sellersService } from "./service.js";
import { SellersStore } from "./store.js";
import { sellersValidators } from "./validators.js";
import { webhookRoute } from "../../transport/webhook.js";
import { pushWebhook } from "./webhook.js";

/** A sync may take minutes on the demo inventory: SyncSeller's limit (the proto sets none). */
const SYNC_TIMEOUT_MS = 30 * 60_000;

/** Each push seller's webhook key on one machine (the sandbox seller signs with the same); production sets its own. */
const DEVELOPMENT_WEBHOOK_KEYS = { wanderly: "itinera-development-webhook-key-wanderly" };

async function main() {
  const rt = startRuntime("sellers", process.env);
  const sellerUrls: Record<string, Setting<string>> = Object.fromEntries(
    SELLER_REGISTRY.map((r) => [r.id, url(r.urlVariable, r.defaultUrl)]),
  );
  const cfg = config(process.env, {
    port: port("SELLERS_PORT", 7008),
    catalogUrl: peerUrls("CATALOG_URL", "http://127.0.0.1:7002"),
    pricingUrl: peerUrls("PRICING_URL", "http://127.0.0.1:7003"),
    bookingUrl: peerUrls("BOOKING_URL", "http://127.0.0.1:7007"),
    paymentUrl: peerUrls("PAYMENT_URL", "http://127.0.0.1:7006"),
    bookingDeadlineMs: int("SELLER_BOOKING_DEADLINE_MS", DEFAULT_BOOKING_DEADLINE_MS, { min: 1 }),
    // Deliveries of a booking before it goes to the dead letters (the deadline decides first at the default).
    bookingMaxAttempts: int("SELLERS_BOOKING_MAX_ATTEMPTS", DEFAULT_BOOKING_MAX_ATTEMPTS, { min: 1, max: 1000 }),
    ...identitySettings("sellers"),
    webhookKeys: secretMap("SELLERS_WEBHOOK_KEYS", DEVELOPMENT_WEBHOOK_KEYS),
    syncIntervalMs: int("SYNC_INTERVAL_MS", 15 * 60_000, { min: 1000 }),
    quoteTimeoutMs: int("SELLERS_QUOTE_TIMEOUT_MS", 2000, { min: 10 }),
    throttleRps: int("SELLERS_THROTTLE_RPS", 40, { min: 1 }),
    throttleBurst: int("SELLERS_THROTTLE_BURST", 20, { min: 1 }),
    fxRates: list("FX_RATES", Object.entries(SANDBOX_FX_RATES).map(([c, r]) => `${c}=${r}`)),
  });
  const urls = config(process.env, sellerUrls);
  const fx = new FxTable(parseFxRates(cfg.fxRates));

  const db = await rt.openDatabase("sellers", new URL("./migrations", import.meta.url));
  const { bus, ...busEngine } = await openBus(rt, { service: "sellers", db, publishes: false });

  const auth = identityAccess({
    identityUrl: cfg.identityUrl,
    serviceSecret: cfg.serviceSecret,
    serviceName: "sellers",
    registry: rt.registry,
    tracer: rt.tracer,
    log: rt.log,
  });
  // Batches of listings and rates take longer than a user's call: a larger cap than the default 5 s.
  const peers = clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs: 120_000, callAs: auth.servicePrincipal });
  const catalog = clientOf(CatalogService, grpcTransport(cfg.catalogUrl, { log: rt.log }), ...peers.middlewares);
  const pricing = clientOf(PricingService, grpcTransport(cfg.pricingUrl, { log: rt.log }), ...peers.middlewares);
  // The saga's calls: the kit's default 5 s cap, retries of idempotent methods, a breaker per peer.
  const saga = clientStack({ registry: rt.registry, tracer: rt.tracer });
  const booking = clientOf(BookingService, grpcTransport(cfg.bookingUrl, { log: rt.log }), ...saga.middlewares);
  const payment = clientOf(PaymentService, grpcTransport(cfg.paymentUrl, { log: rt.log }), ...saga.middlewares);

  const adapters = createAdapters(urls, {
    fx,
    throttle: { ratePerSecond: cfg.throttleRps, burst: cfg.throttleBurst },
    onBreakerChange: (seller, state) => rt.log.warn({ seller, state }, "seller breaker changed"),
  });
  const sellers = sellersService({
    adapters,
    catalog,
    pricing,
    store: new SellersStore(db.knex),
    webhookKeys: cfg.webhookKeys,
    registry: rt.registry,
    quoteTimeoutMs: cfg.quoteTimeoutMs,
  });
  const endpoints = endpointsOf(
    SellersService,
    sellers,
    ...serverStack({
      registry: rt.registry,
      tracer: rt.tracer,
      validators: sellersValidators(),
      defaultTimeoutMs: SYNC_TIMEOUT_MS, // quotes bound each seller by quoteTimeoutMs themselves
    }),
  );

  // The webhook route (the seller's signature is its proof) and the scheduler call sellers' own endpoints in process, as sellers.
  const asSellers = asPrincipal(endpoints, { kind: "service", id: "sellers", roles: [] });

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) =>
      serveService(
        serveService(router, SellersService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
        DeadLetterService,
        deadLetterEndpoints({ rt, groups: [BOOKINGS_GROUP], deadLetters: busEngine.deadLetters }),
        { log: rt.log, authenticate: auth.authenticate },
      ),
    // A push is bulk ingestion: pushWebhook carries its own body limit (PUSH_MAX_BODY_BYTES).
    http: webhookRoute({ ...pushWebhook(asSellers), log: rt.log }),
    ready: db.ready,
    metrics: rt.registry,
    authenticate: auth.authenticate,
  });

  // Scheduled syncs go through the endpoint, so they are logged and measured like SyncSeller calls.
  const self = clientFromEndpoints(SellersService, asSellers);
  const scheduler = new SyncScheduler({
    sellerIds: sellers.pullSellers,
    intervalMs: cfg.syncIntervalMs,
    syncTimeoutMs: SYNC_TIMEOUT_MS,
    // A start or a later sync sends on only what the seller changed since the last pull (one request when nothing did).
    sync: (ctx, sellerId) => self.syncSeller(ctx, { sellerId, onlyChanges: true }),
    log: rt.log,
    exclusive: advisoryExclusive(db.knex),
  });
  scheduler.start();

  // The token is fetched on the first message (and renewed), so identity need not be up for sellers to start.
  await subscribeSellerBookings(
    bus,
    sellerBookings({
      store: new SellerBookingStore(db.knex),
      adapters,
      booking,
      payment,
      principal: (ctx) => auth.tokens.principal(ctx),
      deadlineMs: cfg.bookingDeadlineMs,
    }),
    { maxAttempts: cfg.bookingMaxAttempts },
  );

  onShutdown(rt.log, [
    { name: "scheduler", close: () => scheduler.stop() },
    { name: "server", close: () => server.close(10_000) },
    // After its current message: the adapters and peer clients it uses close next.
    { name: "bookings", close: busEngine.close },
    { name: "sellers", close: async () => adapters.forEach((a) => a.close()) },
    { name: "peers", close: async () => [peers, saga, auth.stack].forEach((s) => s.breaker.close()) },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  console.error(`sellers failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
