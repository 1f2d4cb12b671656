// Test fixture: payment on its own fresh database (schema "payment" and the
// bus's schema "bus", both migrated as main.ts migrates them), called through
// the kit (localClient with the validation middleware), with an in-memory
// gateway unless a test passes another GatewayClient.
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { pino, type Logger } from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { PaymentEventSchema, type PaymentEvent } from "../../gen/itinera/payment/v1/events_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { PaymentCallbacks } from "./callbacks.js";
import { busPublisher } from "./events.js";
import { FakeGateway } from "./fake-gateway.fixture.js";
import type { GatewayClient } from "./gateway.js";
import { TEST_QUOTING } from "./payments.fixture.js";
import { paymentService } from "./service.js";
import { PaymentStore } from "./store.js";
import { paymentValidators } from "./validators.js";
import { topicOf } from "../../endpoints/bus.js";
/** The KitError a call fails with (fails the test if it succeeds or throws something else). */
export { kitRejection as failure } from "../../endpoints/testing.js";

export const TEST_GATEWAY_SECRET = "payment-test-gateway-secret";
export const CALLBACK_URL = "http://payment.test/callbacks/gateway";
export const TEST_PAGE_TOKEN_SECRET = "payment-test-page-tokens";
export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
export const BUS_MIGRATIONS = fileURLToPath(new URL("../../transport/bus/migrations", import.meta.url));

const TABLES = ["payments", "commands", "refunds", "gateway_events", "inbox"] as const;
type Table = (typeof TABLES)[number];

export interface PaymentFixture {
  client: Client<typeof PaymentService>;
  store: PaymentStore;
  callbacks: PaymentCallbacks;
  gateway: FakeGateway;
  bus: PostgresBus;
  database: Database;
  /** The database's URL (for a second process or pool). */
  url: string;
  log: Logger;
  /** A call made by this customer. */
  as(customerId: string): Context;
  /** A call made by another service. */
  asService(name?: string): Context;
  /** Rows per table, to prove that a call wrote nothing (or exactly something). */
  counts(): Promise<Record<Table, number>>;
  /** Every PaymentEvent published so far, with its key, in order. */
  events(): Promise<{ key: string; event: PaymentEvent }[]>;
  close(): Promise<void>;
}

export interface PaymentFixtureOptions {
  now?: () => Date;
  gateway?: GatewayClient;
  /** Where the service tells the gateway to call back; default CALLBACK_URL. */
  callbackUrl?: string;
  poolMax?: number;
}

export async function paymentFixture(opts: PaymentFixtureOptions = {}): Promise<PaymentFixture> {
  const log = pino({ level: process.env.PAYMENT_TEST_LOG ?? "silent" });
  const testDb: TestDatabase = await testDatabase();
  const open = (schema: string, migrationsDir: string, max: number) =>
    openDatabase({ url: testDb.url, dataDir: ".data/unused", embeddedPort: 0, schema, migrationsDir, log, pool: { min: 0, max } });
  let database: Database | undefined;
  let busDb: Database | undefined;
  try {
    database = await open("payment", MIGRATIONS, opts.poolMax ?? 10);
    busDb = await open("bus", BUS_MIGRATIONS, 5);
  } catch (e) {
    await database?.close();
    await testDb.drop();
    throw e;
  }
  const db = database;
  const bus = new PostgresBus({ knex: busDb.knex, log, pollMs: 200 });
  const fake = new FakeGateway();
  const store = new PaymentStore(db.knex, postgresOutbox);
  const now = opts.now;
  const callbacks = new PaymentCallbacks({ store, secret: TEST_GATEWAY_SECRET, publish: busPublisher(bus), ...(now ? { now } : {}) });
  const service = paymentService({
    store,
    gateway: opts.gateway ?? fake,
    callbackUrl: opts.callbackUrl ?? CALLBACK_URL,
    ...TEST_QUOTING,
    pageTokenSecret: TEST_PAGE_TOKEN_SECRET,
    ...(now ? { now } : {}),
  });
  const client = localClient(PaymentService, service, validation(paymentValidators(TEST_QUOTING.validation)));
  return {
    client,
    store,
    callbacks,
    gateway: fake,
    bus,
    database: db,
    url: testDb.url,
    log,
    as: (customerId) => backgroundContext({ log, principal: { kind: "customer", id: customerId, roles: [] } }),
    asService: (name = "booking") => backgroundContext({ log, principal: { kind: "service", id: name, roles: [] } }),
    async counts() {
      const result = {} as Record<Table, number>;
      for (const table of TABLES) {
        const [{ n }] = (await db.knex(table).count({ n: "*" })) as [{ n: bigint }];
        result[table] = Number(n);
      }
      return result;
    },
    async events() {
      const rows = await db.knex.raw<{ rows: { key: string; payload: Buffer }[] }>(
        `select key, payload from bus.messages where topic = ? order by id`,
        [topicOf(PaymentEventSchema).name],
      );
      return rows.rows.map((r) => ({ key: r.key, event: fromBinary(PaymentEventSchema, r.payload) }));
    },
    async close() {
      await bus.close();
      await busDb!.close();
      await db.close();
      await testDb.drop();
    },
  };
}
