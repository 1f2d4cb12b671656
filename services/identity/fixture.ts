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
import { IdentityService, type Tokens } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { jwksRoute } from "./jwks-route.js";
import { identityService } from "./service.js";
import { loadSigner, type TokenSigner } from "./signing-keys.js";
import { IdentityStore } from "./store.js";
import { Throttle, throttled, type ThrottlePolicies } from "./throttle.js";
import { identityValidators } from "./validators.js";
import { ownTokenAuthenticator } from "./verifier.js";

export const TEST_SERVICE_SECRET = "test-service-secret";
export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

export interface IdentityFixture {
  client: Client<typeof IdentityService>;
  ctx: Context;
  database: Database;
  store: IdentityStore;
  signer: TokenSigner;
  /** Another client over the same database and key, with its own clock. */
  clientAt(now: () => Date): Client<typeof IdentityService>;
  /** A new customer, signed in: its id and tokens (what every session test starts from). */
  signedUp(email: string, password: string, displayName?: string): Promise<{ customerId: string; tokens: Tokens }>;
  close(): Promise<void>;
}

export interface IdentityFixtureOptions {
  /** The throttle's policies; default DEFAULT_THROTTLE_POLICIES, as main.ts runs it. */
  throttle?: ThrottlePolicies;
}

export async function identityFixture(opts: IdentityFixtureOptions = {}): Promise<IdentityFixture> {
  const log = pino({ level: "silent" });
  const db = await testServiceDatabase({ schema: "identity", migrationsDir: MIGRATIONS, log, poolMax: 5 });
  const store = new IdentityStore(db.knex);
  const signer = await loadSigner(store);
  const clientAt = (now: () => Date) =>
    localClient(
      IdentityService,
      throttled(identityService({ store, signer, now, serviceSecret: TEST_SERVICE_SECRET }), new Throttle(store, now, opts.throttle)),
      validation(identityValidators()),
    );
  const client = clientAt(() => new Date());
  const ctx = backgroundContext({ log });
  return {
    client,
    clientAt,
    async signedUp(email, password, displayName = "Test Customer") {
      await client.signUp(ctx, { email, password, displayName });
      const res = await client.signIn(ctx, { email, password });
      return { customerId: res.customerId, tokens: res.tokens! };
    },
    ctx,
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
    throttled(identityService({ store: f.store, signer: f.signer, serviceSecret: TEST_SERVICE_SECRET }), new Throttle(f.store, () => new Date())),
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
