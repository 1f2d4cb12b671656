// The payment process: itinera.payment.v1.PaymentService on PAYMENT_PORT
// (7006), plus the gateway's callback POST /callbacks/gateway on the same
// port, over PostgreSQL schema "payment" and the event bus (BUS: schema
// "bus" by default, or NATS JetStream at NATS_URL through its schema's outbox).
// It talks to the card gateway at GATEWAY_URL (signed with GATEWAY_SECRET),
// tells it to call back at PAYMENT_PUBLIC_URL, consumes its own
// payment.payments topic to make reservations at BOOKING_URL, and expires
// payments the gateway never decided after PAYMENT_EXPIRE_MS (one replica at a
// time: the sweep takes its job lock). It charges what
// search quoted (its MAC verified with QUOTE_SECRET, which only search and
// payment hold), signs its page tokens with PAYMENT_PAGE_TOKEN_SECRET (shared
// by every instance) and sends the
// browser back only to PAYMENT_RETURN_ORIGINS (default: WEB_PUBLIC_URL's
// origin and http://localhost:8080).
import { endpointsOf } from "../../endpoints/service.js";
import { clientStack, serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { config, int, port, peerUrls, secret, url, urlList } from "../../platform/config.js";
import { advisoryExclusive } from "../../platform/job-lock.js";
import { periodic } from "../../endpoints/periodic.js";
import { quoteSettings, quoteVerifier } from "../../platform/quotes.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { openBus } from "../../transport/bus/open.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { deadLetterEndpoints } from "../bus-admin/endpoints.js";
import { identityAccess, identitySettings } from "../identity/access.js";
import { CALLBACK_PATH, gatewayCallbackRoute } from "./callback-route.js";
import { PaymentCallbacks } from "./callbacks.js";
import { busPublisher } from "./events.js";
import { EXPIRY_JOB, PaymentExpiry } from "./expiry.js";
import { httpGateway } from "./gateway-client.js";
import { RESERVATIONS_GROUP, subscribeReservations } from "./reservations.js";
import { paymentService } from "./service.js";
import { PaymentStore } from "./store.js";
import { paymentValidators } from "./validators.js";

/** The development secret shared with the sandbox gateway (briefs: apis.md). */
const DEVELOPMENT_GATEWAY_SECRET = "itinera-development-gateway-secret";

async function main() {
  const rt = startRuntime("payment", process.env);
  const cfg = config(process.env, {
    port: port("PAYMENT_PORT", 7006),
    gatewayUrl: url("GATEWAY_URL", "http://127.0.0.1:7110"),
    gatewaySecret: secret("GATEWAY_SECRET", DEVELOPMENT_GATEWAY_SECRET),
    pageTokenSecret: secret("PAYMENT_PAGE_TOKEN_SECRET", "itinera-development-payment-page-tokens"),
    publicUrl: url("PAYMENT_PUBLIC_URL", "http://127.0.0.1:7006"),
    bookingUrl: peerUrls("BOOKING_URL", "http://127.0.0.1:7007"),
    expireMs: int("PAYMENT_EXPIRE_MS", 15 * 60_000, { min: 1000 }),
    sweepMs: int("PAYMENT_SWEEP_MS", 30_000, { min: 100 }),
    webPublicUrl: url("WEB_PUBLIC_URL", "http://127.0.0.1:8080"),
    returnOrigins: urlList("PAYMENT_RETURN_ORIGINS", []),
    ...quoteSettings(),
    ...identitySettings("payment"),
  });
  const validation = { returnOrigins: cfg.returnOrigins.length > 0 ? cfg.returnOrigins : [cfg.webPublicUrl, "http://localhost:8080"] };

  // The service's schema first (it may start the embedded server), then the bus.
  const db = await rt.openDatabase("payment", new URL("./migrations", import.meta.url));
  const { bus, outboxOf, ...busEngine } = await openBus(rt, { service: "payment", db, publishes: true });

  const access = identityAccess({ ...cfg, serviceName: "payment", registry: rt.registry, tracer: rt.tracer, log: rt.log });
  const peers = clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs: 5_000 });
  const booking = clientOf(BookingService, grpcTransport(cfg.bookingUrl, { log: rt.log }), ...peers.middlewares);

  const store = new PaymentStore(db.knex, outboxOf);
  const gateway = httpGateway({ baseUrl: cfg.gatewayUrl, secret: cfg.gatewaySecret });
  const callbacks = new PaymentCallbacks({ store, secret: cfg.gatewaySecret, publish: busPublisher(bus) });
  const payment = paymentService({
    store,
    gateway,
    callbackUrl: new URL(CALLBACK_PATH, cfg.publicUrl).toString(),
    priceQuotes: quoteVerifier(cfg.quoteSecret),
    pageTokenSecret: cfg.pageTokenSecret,
    validation,
    // ListPendingPayments' "longer than expected": half-way to being expired.
    pendingAfterMs: cfg.expireMs / 2,
  });
  const endpoints = endpointsOf(
    PaymentService,
    payment,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: paymentValidators(validation) }),
  );

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) =>
      serveService(
        serveService(router, PaymentService, endpoints, { log: rt.log, authenticate: access.authenticate }),
        DeadLetterService,
        deadLetterEndpoints({ rt, groups: [RESERVATIONS_GROUP], deadLetters: busEngine.deadLetters }),
        { log: rt.log, authenticate: access.authenticate },
      ),
    http: gatewayCallbackRoute({ callbacks, log: rt.log }),
    ready: async () => {
      const [own, log] = await Promise.all([db.ready(), busEngine.ready()]);
      return own !== true ? own : log;
    },
    metrics: rt.registry,
    authenticate: access.authenticate,
  });

  // Background work runs as this service: its RPCs carry payment's own token.
  const reservations = await subscribeReservations(bus, { store, booking, principal: (ctx) => access.tokens.principal(ctx) });
  const sweeper = new PaymentExpiry({ store, gateway, callbacks, expireMs: cfg.expireMs, exclusive: advisoryExclusive(db.knex) });
  const expiry = periodic({ name: EXPIRY_JOB, intervalMs: cfg.sweepMs, log: rt.log, run: (ctx) => sweeper.sweepExclusively(ctx) });
  expiry.start();
  rt.log.info({ port: server.port, gateway: cfg.gatewayUrl, booking: cfg.bookingUrl }, "payment ready");

  onShutdown(rt.log, [
    // Stop taking calls and callbacks (in-flight ones finish), then the background work after its current item.
    { name: "server", close: () => server.close(10_000) },
    { name: "expiry", close: () => expiry.stop() },
    { name: "reservations", close: () => reservations.stop() },
    { name: "bus", close: busEngine.close },
    { name: "peers", close: async () => [peers, access.stack].forEach((s) => s.breaker.close()) },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a database that cannot be reached: say why in one line, exit non-zero.
  console.error(`payment failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
