// The pricing process: itinera.pricing.v1.PricingService on PRICING_PORT
// (7003), Connect, gRPC and gRPC-Web on one port, over PostgreSQL
// (DATABASE_URL, or the embedded server when unset), asking the sellers
// service (SELLERS_URL) for live quotes. A rule that does not compile stops
// the process at start, naming the rule. It consumes RoomSoldOut from the
// bus (BUS, NATS_URL; group "pricing-availability"): a sold-out room's prices
// for the stay turn stale until refreshed. Callers' tokens are verified
// against identity's JWKS (IDENTITY_URL); its calls to sellers carry its own
// service token (SERVICE_SECRET).
import { endpointsOf } from "../../endpoints/service.js";
import { clientStack, serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { config, port, peerUrls } from "../../platform/config.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { openBus } from "../../transport/bus/open.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { AVAILABILITY_GROUP, subscribeAvailability } from "./availability.js";
import { PricingRules } from "./rules.js";
import { pricingService } from "./service.js";
import { PricingStore } from "./store.js";
import { pricingValidators } from "./validators.js";
import { deadLetterEndpoints } from "../bus-admin/endpoints.js";
import { identityAccess, identitySettings } from "../identity/access.js";

async function main() {
  const rt = startRuntime("pricing", process.env);
  const cfg = config(process.env, {
    port: port("PRICING_PORT", 7003),
    sellersUrl: peerUrls("SELLERS_URL", "http://127.0.0.1:7008"),
    ...identitySettings("pricing"),
  });

  const db = await rt.openDatabase("pricing", new URL("./migrations", import.meta.url));

  const store = new PricingStore(db.knex);
  let rules: PricingRules;
  try {
    rules = await PricingRules.load(() => store.activeRules());
  } catch (e) {
    await db.close();
    throw e;
  }
  const { bus, ...busEngine } = await openBus(rt, { service: "pricing", db, publishes: false });
  const auth = identityAccess({ ...cfg, serviceName: "pricing", registry: rt.registry, tracer: rt.tracer, log: rt.log });
  const sellersStack = clientStack({ registry: rt.registry, tracer: rt.tracer, callAs: auth.servicePrincipal });
  const sellers = clientOf(SellersService, grpcTransport(cfg.sellersUrl, { log: rt.log }), ...sellersStack.middlewares);

  const pricing = pricingService({ store, sellers, rules });
  const endpoints = endpointsOf(
    PricingService,
    pricing,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: pricingValidators() }),
  );

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) =>
      serveService(
        serveService(router, PricingService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
        DeadLetterService,
        deadLetterEndpoints({ rt, groups: [AVAILABILITY_GROUP], deadLetters: busEngine.deadLetters }),
        { log: rt.log, authenticate: auth.authenticate },
      ),
    ready: db.ready,
    metrics: rt.registry,
    authenticate: auth.authenticate,
  });

  await subscribeAvailability(bus, store);

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    { name: "consumers", close: busEngine.close },
    { name: "circuits", close: async () => [sellersStack, auth.stack].forEach((s) => s.breaker.close()) },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration, a database that cannot be reached or a broken rule: say why in one line, exit non-zero.
  console.error(`pricing failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
