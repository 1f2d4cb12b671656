// Test fixture: identity on its own fresh database (schemas "identity" and
// "bus": sign-ups publish on the real bus) with its signing key, called
// through the kit (localClient with the validation middleware); the link a
// sign-up e-mailed, read from the bus as the mailer would; and
// serveIdentity, the same identity on a real server wired as main.ts wires
// it, for tests of identity over the wire and of services that need a real
// identity (a JWKS to fetch, service tokens to issue).
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { trace, type Tracer } from "@opentelemetry/api";
import { pino, type Logger } from "pino";
import { Registry } from "prom-client";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { endpointsOf, localClient, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { IdentityService, type Tokens } from "../../gen/itinera/identity/v1/identity_pb.js";
import { AccountEventSchema, type AccountEvent } from "../../gen/itinera/identity/v1/events_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { testDatabase } from "../../platform/testing.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { jwksRoute } from "./jwks-route.js";
import { credentialsOf, DEVELOPMENT_SERVICE_NAMES } from "./service-credentials.js";
import { identityService, normaliseEmail } from "./service.js";
import { loadSigner, type TokenSigner } from "./signing-keys.js";
import { IdentityStore } from "./store.js";
import { Throttle, throttled, type ThrottlePolicies } from "./throttle.js";
import { identityValidators } from "./validators.js";
import { ownTokenAuthenticator } from "./verifier.js";
import { topicOf } from "../../endpoints/bus.js";

/** The secret of service `name` in tests: each service has its own. */
export const testServiceSecret = (name: string) => `test-service-secret-${name}`;
/** The fixture's identity knows every service's test credential, and the e2e tests' own ("e2e"). */
export const TEST_SERVICE_CREDENTIALS = credentialsOf([...DEVELOPMENT_SERVICE_NAMES, "e2e"], testServiceSecret);
export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
const BUS_MIGRATIONS = fileURLToPath(new URL("../../transport/bus/migrations", import.meta.url));

export interface IdentityFixture {
  client: Client<typeof IdentityService>;
  ctx: Context;
  database: Database;
  store: IdentityStore;
  signer: TokenSigner;
  bus: PostgresBus;
  /** What identity published on "identity.accounts", oldest first. */
  accountEvents(): Promise<AccountEvent[]>;
  /** The token of the newest link e-mailed to `email` (as the mailer gets it); throws when there is none. */
  linkToken(email: string): Promise<string>;
  /** Another client over the same database and key, with its own clock. */
  clientAt(now: () => Date): Client<typeof IdentityService>;
  /** A new customer, signed up, confirmed through its link and signed in: its id and tokens. */
  signedUp(email: string, password: string, displayName?: string): Promise<{ customerId: string; tokens: Tokens }>;
  close(): Promise<void>;
}

export interface IdentityFixtureOptions {
  /** The throttle's policies; default DEFAULT_THROTTLE_POLICIES, as main.ts runs it. */
  throttle?: ThrottlePolicies;
}

export async function identityFixture(opts: IdentityFixtureOptions = {}): Promise<IdentityFixture> {
  const log = pino({ level: "silent" });
  const test = await testDatabase();
  const open = (schema: string, migrationsDir: string) =>
    openDatabase({ url: test.url, dataDir: ".data/unused", embeddedPort: 0, schema, migrationsDir, log, pool: { min: 0, max: 5 } });
  const busDb = await open("bus", BUS_MIGRATIONS);
  const db = await open("identity", MIGRATIONS);
  const bus = new PostgresBus({ knex: busDb.knex, log });
  const store = new IdentityStore(db.knex, postgresOutbox);
  const signer = await loadSigner(store);
  const clientAt = (now: () => Date) =>
    localClient(
      IdentityService,
      throttled(identityService({ store, signer, bus, now, serviceCredentials: TEST_SERVICE_CREDENTIALS }), new Throttle(store, now, opts.throttle)),
      validation(identityValidators()),
    );
  const client = clientAt(() => new Date());
  const ctx = backgroundContext({ log });
  async function accountEvents(): Promise<AccountEvent[]> {
    const r = await db.knex.raw<{ rows: { payload: Buffer }[] }>(`select payload from bus.messages where topic = ? order by id`, [topicOf(AccountEventSchema).name]);
    return r.rows.map((row) => fromBinary(AccountEventSchema, row.payload));
  }
  async function linkToken(email: string): Promise<string> {
    const customer = await store.customerByEmail(normaliseEmail(email));
    const links = (await accountEvents()).flatMap((e) =>
      e.event.case === "emailVerificationRequested" && e.event.value.customerId === customer?.customerId ? [e.event.value.token] : [],
    );
    if (links.length === 0) throw new Error("no verification link was published for this address");
    return links.at(-1)!;
  }
  return {
    client,
    clientAt,
    accountEvents,
    linkToken,
    async signedUp(email, password, displayName = "Test Customer") {
      await client.signUp(ctx, { email, password, displayName });
      const res = await client.verifyEmail(ctx, { token: await linkToken(email) });
      return { customerId: res.customerId, tokens: res.tokens! };
    },
    ctx,
    database: db,
    store,
    signer,
    bus,
    async close() {
      await bus.close();
      await db.close();
      await busDb.close();
      await test.drop();
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
    throttled(identityService({ store: f.store, signer: f.signer, bus: f.bus, serviceCredentials: TEST_SERVICE_CREDENTIALS }), new Throttle(f.store, () => new Date())),
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
