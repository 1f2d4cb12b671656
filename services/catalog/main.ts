// The catalog process: itinera.catalog.v1.CatalogService on CATALOG_PORT
// (7002), Connect, gRPC and gRPC-Web on one port, over PostgreSQL
// (DATABASE_URL, or the embedded server when unset). Page tokens are signed
// with CATALOG_PAGE_TOKEN_SECRET, which every instance must share. Callers'
// tokens are verified against identity's JWKS (IDENTITY_URL); who may call
// which method is in catalog.proto.
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { config, port, secret } from "../../platform/config.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { FlightStore } from "./flight-store.js";
import { HotelStore } from "./hotel-store.js";
import { catalogService } from "./service.js";
import { catalogValidators } from "./validators.js";
import { identityAccess, identitySettings } from "../identity/access.js";

async function main() {
  const rt = startRuntime("catalog", process.env);
  const cfg = config(process.env, {
    port: port("CATALOG_PORT", 7002),
    pageTokenSecret: secret("CATALOG_PAGE_TOKEN_SECRET", "sandbox-catalog-page-tokens"),
    ...identitySettings("catalog"),
  });
  const auth = identityAccess({ ...cfg, serviceName: "catalog", registry: rt.registry, tracer: rt.tracer, log: rt.log });

  const db = await rt.openDatabase("catalog", new URL("./migrations", import.meta.url));

  const catalog = catalogService({
    hotels: new HotelStore(db.knex),
    flights: new FlightStore(db.knex),
    pageTokenSecret: cfg.pageTokenSecret,
  });
  const endpoints = endpointsOf(
    CatalogService,
    catalog,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: catalogValidators() }),
  );

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) => serveService(router, CatalogService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
    ready: db.ready,
    metrics: rt.registry,
    authenticate: auth.authenticate,
  });

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    { name: "circuits", close: async () => auth.stack.breaker.close() },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a database that cannot be reached: say why in one line, exit non-zero.
  console.error(`catalog failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
