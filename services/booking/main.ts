// The booking process: itinera.booking.v1.BookingService on BOOKING_PORT
// (7007), Connect, gRPC and gRPC-Web on one port, over PostgreSQL (schema
// "booking"), its events on the bus (BUS: schema "bus" by default, or NATS
// JetStream at NATS_URL through its schema's outbox), with its settlement
// consumer. Peers: WALLET_URL, PAYMENT_URL, IDENTITY_URL (tokens: callers'
// verified against identity's JWKS; booking's own fetched with SERVICE_SECRET).
// BOOKING_ROOM_THRESHOLD, BOOKING_CANCELLATION_FEE_MINOR,
// BOOKING_FULFIL_EVERY_MS and BOOKING_PAGE_TOKEN_SECRET tune it (settings.ts).
// The fulfilment sweep runs on the replica holding its advisory lock.
import { endpointsOf } from "../../endpoints/service.js";
import { clientStack, serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { config, port, peerUrls } from "../../platform/config.js";
import { startRuntime } from "../../platform/runtime.js";
import { advisoryExclusive } from "../../platform/job-lock.js";
import { periodic } from "../../endpoints/periodic.js";
import { onShutdown } from "../../platform/shutdown.js";
import { openBus } from "../../transport/bus/open.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { deadLetterEndpoints } from "../bus-admin/endpoints.js";
import { identityAccess, identitySettings } from "../identity/access.js";
import { FULFILMENT_JOB, FulfilmentSweep } from "./fulfilment.js";
import { bookingService } from "./service.js";
import { bookingSettings, serviceSettings } from "./settings.js";
import { SETTLEMENT_GROUP, subscribeSettlement } from "./settlement.js";
import { BookingStore } from "./store.js";
import { bookingValidators } from "./validators.js";

async function main() {
  const rt = startRuntime("booking", process.env);
  const cfg = config(process.env, {
    port: port("BOOKING_PORT", 7007),
    walletUrl: peerUrls("WALLET_URL", "http://127.0.0.1:7004"),
    paymentUrl: peerUrls("PAYMENT_URL", "http://127.0.0.1:7006"),
    ...identitySettings("booking"),
    ...bookingSettings(),
  });

  const db = await rt.openDatabase("booking", new URL("./migrations", import.meta.url));
  const { bus, outboxOf, ...busEngine } = await openBus(rt, { service: "booking", db, publishes: true });
  const store = new BookingStore(db.knex, outboxOf);

  const auth = identityAccess({
    identityUrl: cfg.identityUrl,
    serviceSecret: cfg.serviceSecret,
    serviceName: "booking",
    registry: rt.registry,
    tracer: rt.tracer,
    log: rt.log,
  });
  // Booking's own token for its calls, fetched without forwarding the caller's.
  const servicePrincipal = auth.servicePrincipal;

  const walletStack = clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs: 2_000 });
  const paymentStack = clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs: 10_000 });
  const wallet = clientOf(WalletService, grpcTransport(cfg.walletUrl, { log: rt.log }), ...walletStack.middlewares);
  const payment = clientOf(PaymentService, grpcTransport(cfg.paymentUrl, { log: rt.log }), ...paymentStack.middlewares);

  const booking = bookingService({
    store,
    bus,
    wallet,
    servicePrincipal,
    pageTokenSecret: cfg.pageTokenSecret,
    settings: serviceSettings(cfg),
  });
  const endpoints = endpointsOf(
    BookingService,
    booking,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: bookingValidators() }),
  );

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) =>
      serveService(
        serveService(router, BookingService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
        DeadLetterService,
        deadLetterEndpoints({ rt, groups: [SETTLEMENT_GROUP], deadLetters: busEngine.deadLetters }),
        { log: rt.log, authenticate: auth.authenticate },
      ),
    ready: db.ready,
    metrics: rt.registry,
    authenticate: auth.authenticate,
  });

  await subscribeSettlement(bus, { store, wallet, payment, servicePrincipal });
  const sweep = new FulfilmentSweep({ store, bus, exclusive: advisoryExclusive(db.knex) });
  const fulfilment = periodic({ name: FULFILMENT_JOB, intervalMs: cfg.fulfilEveryMs, log: rt.log, run: (ctx) => sweep.sweep(ctx) });
  fulfilment.start();

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    { name: "fulfilment sweep", close: () => fulfilment.stop() },
    { name: "settlement consumer and bus", close: busEngine.close },
    {
      name: "circuits",
      close: async () => [walletStack, paymentStack, auth.stack].forEach((s) => s.breaker.close()),
    },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a database that cannot be reached: say why in one line, exit non-zero.
  console.error(`booking failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
