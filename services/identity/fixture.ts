// Test fixture: identity on its own fresh database with its signing key,
// called through the kit (localClient with the validation middleware); and
// serveIdentity, the same identity on a real server wired as main.ts wires
// it, for tests of identity over the wire and of services that need a real
// identity (a JWKS to fetch, service tokens to issue).
import { fileURLToPath } from "node:url";
import { trace, type Tracer } from "@opentelemetry/api";
import { pino, type Logger } from "pino";
import { Registry } from "prom-client";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { endpointsOf, localClient, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { jwksRoute } from "./jwks-route.js";
import { credentialsOf, DEVELOPMENT_SERVICE_NAMES } from "./service-credentials.js";
import { identityService } from "./service.js";
import { loadSigner, type TokenSigner } from "./signing-keys.js";
import { IdentityStore } from "./store.js";
import { identityValidators } from "./validators.js";
import { ownTokenAuthenticator } from "./verifier.js";

/** The secret of service `name` in tests: each service has its own. */
export const testServiceSecret = (name: string) => `test-service-secret-${name}`;
/** The fixture's identity knows every service's test credential, and the e2e tests' own ("e2e"). */
export const TEST_SERVICE_CREDENTIALS = credentialsOf([...DEVELOPMENT_SERVICE_NAMES, "e2e"], testServiceSecret);
export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

export interface IdentityFixture {
  client: Client<typeof IdentityService>;
  ctx: Context;
  database: Database;
  store: IdentityStore;
  signer: TokenSigner;
  /** Another client over the same database and key, with its own clock. */
  clientAt(now: () => Date): Client<typeof IdentityService>;
  close(): Promise<void>;
}

export async function identityFixture(): Promise<IdentityFixture> {
  const log = pino({ level: "silent" });
  const db = await testServiceDatabase({ schema: "identity", migrationsDir: MIGRATIONS, log, poolMax: 5 });
  const store = new IdentityStore(db.knex);
  const signer = await loadSigner(store);
  const clientAt = (now: () => Date) =>
    localClient(IdentityService, identityService({ store, signer, now, serviceCredentials: TEST_SERVICE_CREDENTIALS }), validation(identityValidators()));
  return {
    client: clientAt(() => new Date()),
    clientAt,
    ctx: backgroundContext({ log }),
    database: db,
    store,
    signer,
    async close() {
      await db.close();
    },
  };
}

export interface ServeIdentityOptions {
  /** The server's logger; default silent. */
  log?: Logger;
  /** Default: the global (no-op unless registered) tracer. */
  tracer?: Tracer;
  /** The port; default 0 (any free one). */
  port?: number;
}

/** The fixture's identity on a real server as main.ts serves it: serverStack, own-key authentication, the JWKS route. */
export async function serveIdentity(f: IdentityFixture, opts: ServeIdentityOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? pino({ level: "silent" });
  const registry = new Registry();
  const endpoints = endpointsOf(
    IdentityService,
    identityService({ store: f.store, signer: f.signer, serviceCredentials: TEST_SERVICE_CREDENTIALS }),
    ...serverStack({ registry, tracer: opts.tracer ?? trace.getTracer("identity"), validators: identityValidators() }),
  );
  return startServer({
    port: opts.port ?? 0,
    log,
    routes: (router) => serveService(router, IdentityService, endpoints, { log, authenticate: ownTokenAuthenticator(() => f.signer.jwks) }),
    http: jwksRoute(() => f.signer.jwks),
    ready: f.database.ready,
    metrics: registry,
  });
}
