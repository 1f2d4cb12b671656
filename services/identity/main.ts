// The identity process: itinera.identity.v1.IdentityService on IDENTITY_PORT
// (7001), Connect, gRPC and gRPC-Web on one port, plus GET
// /.well-known/jwks.json, over PostgreSQL (DATABASE_URL, or the embedded
// server when unset), publishing sign-ups' e-mails on the event bus for the
// mailer (BUS: schema "bus" of the same database by default, or NATS
// JetStream at NATS_URL through its schema's outbox table; transport/bus/
// open.ts). Service tokens go to the service
// whose credential is presented (SERVICE_CREDENTIALS: hashes, one per
// service). The signing key is created on first start. Bearer tokens are
// verified with identity's own keys, so that the services-only GetCustomer
// accepts service tokens.
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { config, port } from "../../platform/config.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { openBus } from "../../transport/bus/open.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { jwksRoute } from "./jwks-route.js";
import { serviceCredentialsSetting } from "./service-credentials.js";
import { identityService } from "./service.js";
import { loadSigner } from "./signing-keys.js";
import { IdentityStore } from "./store.js";
import { Throttle, throttled } from "./throttle.js";
import { identityValidators } from "./validators.js";
import { ownTokenAuthenticator } from "./verifier.js";

async function main() {
  const rt = startRuntime("identity", process.env);
  const cfg = config(process.env, {
    port: port("IDENTITY_PORT", 7001),
    serviceCredentials: serviceCredentialsSetting(),
  });

  const db = await rt.openDatabase("identity", new URL("./migrations", import.meta.url));
  const { bus, outboxOf, ...busEngine } = await openBus(rt, { service: "identity", db, publishes: true });

  const store = new IdentityStore(db.knex, outboxOf);
  const signer = await loadSigner(store);
  const endpoints = endpointsOf(
    IdentityService,
    throttled(identityService({ store, signer, bus, serviceCredentials: cfg.serviceCredentials }), new Throttle(store, () => new Date())),
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: identityValidators() }),
  );

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) => serveService(router, IdentityService, endpoints, { log: rt.log, authenticate: ownTokenAuthenticator(() => signer.jwks) }),
    http: jwksRoute(() => signer.jwks),
    ready: async () => {
      const [own, events] = await Promise.all([db.ready(), busEngine.ready()]);
      return own === true ? events : own;
    },
    metrics: rt.registry,
  });
  rt.log.info({ kid: signer.kid }, "identity signing key loaded");

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    { name: "bus", close: busEngine.close },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a database that cannot be reached: say why in one line, exit non-zero.
  console.error(`identity failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
