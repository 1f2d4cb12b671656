// Test fixture: booking on its own fresh database (schemas "booking" and
// "bus", as main.ts opens them), called through the kit — localClient with
// the access and validation middlewares — with a fake wallet and payment.
// Contexts for a customer and for services, the events booking published
// (read back from the bus's log), and row counts to prove what a call wrote.
import { fromBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { backgroundContext, type Context, type Principal } from "../../endpoints/context.js";
import { access } from "../../endpoints/middleware/access.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { BookingService, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, RoomAvailableSchema, RoomSoldOutSchema, type RoomAvailable, type RoomSoldOut } from "../../gen/itinera/booking/v1/events_pb.js";
import type { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { DEFAULT_SETTINGS, type BookingSettings } from "./deps.js";
import { fakePayment, fakeWallet, type FakePayment, type FakeWallet } from "./fakes.fixture.js";
import { bookingService } from "./service.js";
import { BookingStore } from "./store.js";
import { bookingValidators } from "./validators.js";
import { topicOf } from "../../endpoints/bus.js";
/** The KitError a call fails with (fails the test if it succeeds or throws something else). */
export { kitRejection as failure } from "../../endpoints/testing.js";

export const log = pino({ level: process.env.BOOKING_TEST_LOG ?? "silent" });
const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
const BUS_MIGRATIONS = fileURLToPath(new URL("../../transport/bus/migrations", import.meta.url));

/** Booking's own principal in tests: what its wallet and payment calls must carry. */
export const BOOKING_PRINCIPAL: Principal = { kind: "service", id: "booking", roles: [], token: "booking-service-token" };

export interface PublishedEvent {
  key: string;
  kind: string;
  reservation: Reservation;
}

export interface BookingFixture {
  client: Client<typeof BookingService>;
  /** The service itself, without any middleware: what a direct call could do. */
  service: Service<typeof BookingService>;
  store: BookingStore;
  db: Database;
  bus: PostgresBus;
  wallet: FakeWallet;
  payment: FakePayment;
  customer(customerId: string): Context;
  /** A calling service (payment, sellers). */
  serviceCtx(name?: string): Context;
  /** Reservation events in publication order (optionally of one reservation). */
  events(reservationId?: string): Promise<PublishedEvent[]>;
  soldOut(): Promise<RoomSoldOut[]>;
  available(): Promise<RoomAvailable[]>;
  counts(): Promise<{ reservations: number; availability: number; messages: number }>;
  /** Another replica's view of the same database: its own pool and store (closed with the fixture). */
  replica(): Promise<{ store: BookingStore; db: Database }>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  settings?: Partial<BookingSettings>;
  poolMax?: number;
}

export async function bookingFixture(opts: FixtureOptions = {}): Promise<BookingFixture> {
  const test: TestDatabase = await testDatabase();
  const open = (schema: string, migrationsDir: string) =>
    openDatabase({
      url: test.url,
      dataDir: ".data/unused",
      embeddedPort: 0,
      schema,
      migrationsDir,
      log,
      pool: { min: 0, max: opts.poolMax ?? 10 },
    });
  const busDb = await open("bus", BUS_MIGRATIONS);
  const db = await open("booking", MIGRATIONS);
  const replicas: Database[] = [];
  const bus = new PostgresBus({ knex: busDb.knex, log, pollMs: 200 });
  const store = new BookingStore(db.knex, postgresOutbox);
  const wallet = fakeWallet();
  const payment = fakePayment();
  const service = bookingService({
    store,
    bus,
    wallet: wallet.client,
    servicePrincipal: async () => BOOKING_PRINCIPAL,
    pageTokenSecret: "test-secret",
    settings: { ...DEFAULT_SETTINGS, ...opts.settings },
  });
  const client = localClient(BookingService, service, access(), validation(bookingValidators()));
  const as = (principal: Principal) => backgroundContext({ log, principal });

  async function messages<D extends DescMessage>(topic: string, schema: D): Promise<{ key: string; message: MessageShape<D> }[]> {
    const r = await db.knex.raw<{ rows: { key: string; payload: Buffer }[] }>(
      `select key, payload from bus.messages where topic = ? order by id`,
      [topic],
    );
    return r.rows.map((row) => ({ key: row.key, message: fromBinary(schema, row.payload) }));
  }

  return {
    client,
    service,
    store,
    db,
    bus,
    wallet,
    payment,
    customer: (customerId) => as({ kind: "customer", id: customerId, roles: [] }),
    serviceCtx: (name = "payment") => as({ kind: "service", id: name, roles: [] }),
    async events(reservationId) {
      const all = (await messages(topicOf(ReservationEventSchema).name, ReservationEventSchema)).map(({ key, message }) => ({
        key,
        kind: message.event.case ?? "",
        reservation: message.event.value!.reservation!,
      }));
      return reservationId === undefined ? all : all.filter((e) => e.key === reservationId);
    },
    soldOut: async () => (await messages(topicOf(RoomSoldOutSchema).name, RoomSoldOutSchema)).map((m) => m.message),
    available: async () => (await messages(topicOf(RoomAvailableSchema).name, RoomAvailableSchema)).map((m) => m.message),
    async counts() {
      const count = async (sql: string) => Number(((await db.knex.raw(sql)) as { rows: { n: bigint }[] }).rows[0]!.n);
      return {
        reservations: await count("select count(*) as n from reservations"),
        availability: await count("select count(*) as n from availability"),
        messages: await count("select count(*) as n from bus.messages"),
      };
    },
    async replica() {
      const other = await open("booking", MIGRATIONS);
      replicas.push(other);
      return { store: new BookingStore(other.knex, postgresOutbox), db: other };
    },
    async close() {
      for (const r of replicas) await r.close();
      await bus.close();
      await db.close();
      await busDb.close();
      await test.drop();
    },
  };
}

// ---- requests ----

let payments = 0;
/** A payment id no other test uses. */
export const newPaymentId = () => `pay_${process.pid}_${++payments}`;

export const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

export interface StayOptions {
  sellerId?: string;
  hotelId?: string;
  roomId?: string;
  checkIn?: [number, number, number];
  checkOut?: [number, number, number];
  starRating?: number;
  premium?: boolean;
}

export function hotelItem(o: StayOptions = {}): MessageInitShape<typeof ItemSchema> {
  const [y1, m1, d1] = o.checkIn ?? [2026, 12, 10];
  const [y2, m2, d2] = o.checkOut ?? [2026, 12, 13];
  return {
    sellerId: o.sellerId ?? "casa",
    premium: o.premium ?? false,
    title: "Hotel Aurora, Lisbon — Double room, 3 nights",
    kind: {
      case: "hotelStay",
      value: {
        hotelId: o.hotelId ?? "h-aurora",
        roomId: o.roomId ?? "r-double",
        checkIn: { year: y1, month: m1, day: d1 },
        checkOut: { year: y2, month: m2, day: d2 },
        starRating: o.starRating ?? 4,
      },
    },
  };
}

export function flightItem(premium = false): MessageInitShape<typeof ItemSchema> {
  return {
    sellerId: "skylark",
    premium,
    title: "SL123 Lisbon → Paris",
    kind: { case: "flightTrip", value: { outboundFlightId: "SL123-2026-12-01", returnFlightId: "" } },
  };
}

export interface CreateOptions {
  paymentId?: string;
  customerId?: string;
  item?: MessageInitShape<typeof ItemSchema>;
  amountMinor?: bigint;
  markdownMinor?: bigint;
}

export function createRequest(o: CreateOptions = {}) {
  return {
    paymentId: o.paymentId ?? newPaymentId(),
    customerId: o.customerId ?? "alice",
    item: o.item ?? hotelItem(),
    amount: eur(o.amountMinor ?? 30_000n),
    markdown: eur(o.markdownMinor ?? 0n),
  };
}
