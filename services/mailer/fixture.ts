// Test fixture: the mailer's notifier on its own fresh database (schemas
// "mailer" and "bus"), a real SMTP server in-process (smtp.fixture.ts), and a
// fake identity — a Service<IdentityService> with an in-memory customer list,
// behind the access middleware, so a GetCustomer without a service principal
// fails as the real one would. Reservations and events for the tests.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Logger } from "pino";
import { fileURLToPath } from "node:url";
import { backgroundContext, type Context, type Principal } from "../../endpoints/context.js";
import { Code, KitError, notFound, unauthenticated } from "../../endpoints/errors.js";
import { access } from "../../endpoints/middleware/access.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { capture } from "../../endpoints/testing.js";
import { ReservationSchema, ReservationState, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { createLogger } from "../../platform/logger.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import type { MessageHandler } from "../../endpoints/bus.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import type { TokenSigner } from "../identity/signing-keys.js";
import { testTokens } from "../identity/testing.js";
import { reservationNotifier } from "./notifier.js";
import { smtpSender, type Sender } from "./smtp.js";
import { startFakeSmtp, type FakeSmtp } from "./smtp.fixture.js";
import { EmailStore } from "./store.js";

export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
export const BUS_MIGRATIONS = fileURLToPath(new URL("../../transport/bus/migrations", import.meta.url));
export const FROM = "Itinera <bookings@itinera.example>";

/** The customer of the fixture's reservations: what identity knows, and what no log may contain. */
export const CUSTOMER = { customerId: "c-0001", email: "ana.lima@example.com", displayName: "Ana Lima" };

export interface FakeIdentity {
  impl: Service<typeof IdentityService>;
  /** The impl behind the access middleware, as a consumer in another process would reach it. */
  client: Client<typeof IdentityService>;
  customers: Map<string, { email: string; displayName: string }>;
  /** While set, GetCustomer fails with it. */
  failure: KitError | undefined;
  /** The principal of every GetCustomer call. */
  calls: (Principal | undefined)[];
}

/** A fake identity; with a signer it also issues service tokens (for a real mailer process). */
export function fakeIdentity(opts: { signer?: TokenSigner; serviceSecret?: string } = {}): FakeIdentity {
  const unimplemented = async (): Promise<never> => {
    throw new KitError(Code.Unimplemented, "not in the fake identity");
  };
  const fake: FakeIdentity = {
    customers: new Map([[CUSTOMER.customerId, { email: CUSTOMER.email, displayName: CUSTOMER.displayName }]]),
    failure: undefined,
    calls: [],
    impl: {
      signUp: unimplemented,
      signIn: unimplemented,
      refresh: unimplemented,
      signOut: unimplemented,
      verifyEmail: unimplemented,
      grantOperatorRole: unimplemented,
      getJwks: async () => ({ jwksJson: JSON.stringify(opts.signer?.jwks ?? { keys: [] }) }),
      async issueServiceToken(_ctx, req) {
        if (!opts.signer || req.secret !== opts.serviceSecret) throw unauthenticated("bad service secret");
        const accessToken = await opts.signer.sign({ sub: req.serviceName, roles: [], kind: "service" }, new Date(), 900);
        return { accessToken, expiresInSeconds: 900 };
      },
      async getCustomer(ctx, req) {
        fake.calls.push(ctx.principal);
        if (fake.failure) throw fake.failure;
        const c = fake.customers.get(req.customerId);
        if (!c) throw notFound("no such customer");
        return { customerId: req.customerId, ...c };
      },
    },
    client: undefined as unknown as Client<typeof IdentityService>,
  };
  fake.client = localClient(IdentityService, fake.impl, access());
  return fake;
}

let seq = 0;

/** A confirmed hotel stay: EUR 270.00 on the card plus EUR 30.00 from the wallet. */
export function reservation(overrides: Omit<MessageInitShape<typeof ReservationSchema>, "$typeName"> = {}): Reservation {
  seq++;
  return create(ReservationSchema, {
    reservationId: `res_${process.pid}_${seq}`,
    customerId: CUSTOMER.customerId,
    paymentId: "pay_4242424242424242",
    item: {
      sellerId: "casa",
      title: "Hotel Aurora, Lisbon — Double room, 3 nights",
      kind: {
        case: "hotelStay",
        value: { hotelId: "h1", roomId: "r1", checkIn: { year: 2026, month: 12, day: 10 }, checkOut: { year: 2026, month: 12, day: 13 }, starRating: 4 },
      },
    },
    amount: { amountMinor: 27000n, currency: "EUR" },
    markdown: { amountMinor: 3000n, currency: "EUR" },
    state: ReservationState.CONFIRMED,
    sellerReference: "CASA-7781",
    createTime: timestampFromDate(new Date("2026-11-02T09:30:00Z")),
    ...overrides,
  });
}

export type EventCase = "paid" | "confirmed" | "failed" | "cancelled";

export function reservationEvent(kind: EventCase, r: Reservation): ReservationEvent {
  const value = { reservation: r };
  switch (kind) {
    case "paid":
      return create(ReservationEventSchema, { event: { case: "paid", value } });
    case "confirmed":
      return create(ReservationEventSchema, { event: { case: "confirmed", value } });
    case "failed":
      return create(ReservationEventSchema, { event: { case: "failed", value } });
    case "cancelled":
      return create(ReservationEventSchema, { event: { case: "cancelled", value } });
  }
}

export interface MailerFixture {
  testDb: TestDatabase;
  db: Database;
  busDb: Database;
  bus: PostgresBus;
  store: EmailStore;
  smtp: FakeSmtp;
  identity: FakeIdentity;
  sender: Sender;
  notifier: MessageHandler<ReservationEvent>;
  /** A consumer's context: its logger writes into `logLines`. */
  ctx: Context;
  log: Logger;
  /** Every log line of the notifier and the bus, raw. */
  logLines: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function mailerFixture(): Promise<MailerFixture> {
  const { lines, stream } = capture();
  const log = createLogger({ service: "mailer", level: "debug", destination: stream });
  const testDb = await testDatabase();
  const open = (schema: string, migrationsDir: string) =>
    openDatabase({ url: testDb.url, dataDir: ".data/unused", embeddedPort: 0, schema, migrationsDir, log });
  const db = await open("mailer", MIGRATIONS);
  const busDb = await open("bus", BUS_MIGRATIONS);
  const smtp = await startFakeSmtp();
  const identity = fakeIdentity();
  const store = new EmailStore(db.knex);
  const sender = smtpSender({ url: smtp.url, from: FROM, timeoutMs: 5_000 });
  const principal = await (await testTokens()).service("mailer");
  const bus = new PostgresBus({ knex: busDb.knex, log, pollMs: 100 });
  return {
    testDb,
    db,
    busDb,
    bus,
    store,
    smtp,
    identity,
    sender,
    notifier: reservationNotifier({ store, identity: identity.client, sender, principal: async () => principal }),
    ctx: backgroundContext({ log }),
    log,
    logLines: lines,
    async close() {
      await bus.close();
      sender.close();
      await smtp.close();
      await busDb.close();
      await db.close();
      await testDb.drop();
    },
  };
}
