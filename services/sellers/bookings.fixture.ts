// Test fixture for the seller bookings consumer: a fresh test database with
// the "sellers" and "bus" schemas migrated as main.ts opens them, a real
// PostgresBus, the three sellers as fakes with booking routes on real HTTP
// servers behind the real adapters, and booking and payment as fakes that
// record every call in one ordered list (with the principal it carried).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import type { Context, Principal } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { localClient, type Service } from "../../endpoints/service.js";
import {
  BookingService,
  ReservationSchema,
  ReservationState,
  type Reservation,
} from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { topicOf, type MessageHandler } from "../../endpoints/bus.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import type { SellerAdapter } from "./adapter.js";
import { createAdapters } from "./adapters/index.js";
import { SellerBookingStore } from "./booking-store.js";
import { sellerBookings, subscribeSellerBookings, type SellerBookingsDeps } from "./bookings.js";
import { FxTable, SANDBOX_FX_RATES } from "./fx.js";
import { bookingLedger, casaBookings, skylarkBookings, wanderlyBookings, type BookingLedger } from "./test/booking-sellers.js";
import { startFakeSeller, type FakeSeller } from "./test/fake-seller.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";

export const log = pino({ level: process.env.SELLERS_TEST_LOG ?? "silent" });
const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
const BUS_MIGRATIONS = fileURLToPath(new URL("../../transport/bus/migrations", import.meta.url));

const unimplemented = () => Promise.reject(new KitError(Code.Unimplemented, "not in this fake"));

export type SagaMethod = "getReservation" | "confirmReservation" | "failReservation" | "refund";

export interface SagaCall {
  method: SagaMethod;
  request: Record<string, unknown>;
  principal: Principal | undefined;
}

/** Booking and payment as the saga sees them: every call recorded in order; a test may make one fail. */
export interface FakePeers {
  calls: SagaCall[];
  /** Throws instead of answering when set (a KitError: FAILED_PRECONDITION, UNAVAILABLE, …). */
  fail: Partial<Record<SagaMethod, (req: Record<string, unknown>) => Error | undefined>>;
  /** The state getReservation answers for a reservation id: PAID unless set here. */
  states: Map<string, ReservationState>;
  booking: Service<typeof BookingService>;
  payment: Service<typeof PaymentService>;
  /** The calls of one reservation, as [method, request] pairs. */
  of(reservationId: string): [SagaMethod, Record<string, unknown>][];
}

export function fakePeers(): FakePeers {
  const calls: SagaCall[] = [];
  const fail: FakePeers["fail"] = {};
  const states = new Map<string, ReservationState>();
  const record = (method: SagaMethod, ctx: Context, req: object) => {
    const request = { ...(req as Record<string, unknown>) };
    delete request.$typeName;
    calls.push({ method, request, principal: ctx.principal });
    const error = fail[method]?.(request);
    if (error) throw error;
  };
  const reservation = (id: string, state: ReservationState) => ({ reservationId: id, state });
  return {
    calls,
    fail,
    states,
    of: (id) => calls.filter((c) => c.request.reservationId === id || c.request.idempotencyKey === `refund:fail:${id}`).map((c) => [c.method, c.request]),
    booking: {
      createReservation: unimplemented,
      async getReservation(ctx, req) {
        record("getReservation", ctx, req);
        return { reservation: reservation(req.reservationId, states.get(req.reservationId) ?? ReservationState.PAID) };
      },
      listReservations: unimplemented,
      quoteCancellation: unimplemented,
      cancelReservation: unimplemented,
      countReservationsByState: unimplemented,
      async confirmReservation(ctx, req) {
        record("confirmReservation", ctx, req);
        return { reservation: { ...reservation(req.reservationId, ReservationState.CONFIRMED), sellerReference: req.sellerReference } };
      },
      async failReservation(ctx, req) {
        record("failReservation", ctx, req);
        return { reservation: { ...reservation(req.reservationId, ReservationState.FAILED), failureReason: req.reason } };
      },
    },
    payment: {
      makePayment: unimplemented,
      getPayment: unimplemented,
      listPayments: unimplemented,
      listPendingPayments: unimplemented,
      async refund(ctx, req) {
        record("refund", ctx, req);
        return { payment: { paymentId: req.paymentId, state: PaymentState.AUTHORISED, refunded: req.amount }, refundId: `gr_${req.idempotencyKey}` };
      },
    },
  };
}

export interface FakeBookingSeller {
  fake: FakeSeller;
  ledger: BookingLedger;
}

/** The three sellers with booking routes only. */
export async function fakeBookingSellers(): Promise<Record<"skylark" | "casa" | "wanderly", FakeBookingSeller>> {
  const start = async (routes: (l: BookingLedger) => Parameters<typeof startFakeSeller>[0]) => {
    const ledger = bookingLedger();
    return { fake: await startFakeSeller(routes(ledger)), ledger };
  };
  return { skylark: await start(skylarkBookings), casa: await start(casaBookings), wanderly: await start(wanderlyBookings) };
}

let counter = 0;

/** A paid reservation of `item` (its create_time now unless given), with a fresh id. */
export function paidReservation(item: MessageInitShape<typeof ItemSchema>, createMs = Date.now()): Reservation {
  const n = `${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  return create(ReservationSchema, {
    reservationId: `res_${n}`,
    customerId: "c-1",
    paymentId: `pay_${n}`,
    item,
    amount: { amountMinor: 31_500n, currency: "EUR" },
    markdown: { amountMinor: 500n, currency: "EUR" },
    state: ReservationState.PAID,
    createTime: timestampFromMs(createMs),
  });
}

export const hotelItem = (sellerId: "casa" | "wanderly") => ({
  sellerId,
  title: "Hotel P000001, Lisbon — Standard Double Room, 3 nights",
  kind: {
    case: "hotelStay" as const,
    value: { hotelId: "h-P000001", roomId: "DBL-STD", checkIn: { year: 2026, month: 12, day: 1 }, checkOut: { year: 2026, month: 12, day: 4 }, starRating: 3 },
  },
});

export const flightItem = () => ({
  sellerId: "skylark",
  title: "Lisbon → New York",
  kind: { case: "flightTrip" as const, value: { outboundFlightId: "SL100-2026-12-01", returnFlightId: "" } },
});

export interface BookingsFixture {
  test: TestDatabase;
  db: Database;
  busDb: Database;
  bus: PostgresBus;
  store: SellerBookingStore;
  peers: FakePeers;
  sellers: Record<"skylark" | "casa" | "wanderly", FakeBookingSeller>;
  adapters: SellerAdapter[];
  principal: Principal;
  /** The handler as wired for these fakes; `deps` replaces some of its dependencies. */
  handlerWith(deps?: Partial<SellerBookingsDeps>): MessageHandler<ReservationEvent>;
  /** What the running consumer calls; a test may replace it (with handlerWith). */
  handler: MessageHandler<ReservationEvent>;
  publishPaid(r: Reservation): Promise<bigint>;
  /** ReservationCancelled of `r` (as booking publishes it after a customer's cancellation). */
  publishCancelled(r: Reservation): Promise<bigint>;
  close(): Promise<void>;
}

/** Deadline of the fixture's consumer: a test that wants it passed makes its reservation that old. */
export const DEADLINE_MS = 60_000;

export async function bookingsFixture(): Promise<BookingsFixture> {
  const test = await testDatabase();
  const open = (schema: string, migrationsDir: string) =>
    openDatabase({ url: test.url, dataDir: ".data/unused", embeddedPort: 54329, schema, migrationsDir, log });
  const db = await open("sellers", MIGRATIONS);
  const busDb = await open("bus", BUS_MIGRATIONS);
  const bus = new PostgresBus({ knex: busDb.knex, log, pollMs: 200 });
  const sellers = await fakeBookingSellers();
  const adapters = createAdapters(
    { skylark: sellers.skylark.fake.url, casa: sellers.casa.fake.url, wanderly: sellers.wanderly.fake.url },
    { fx: new FxTable(SANDBOX_FX_RATES), breaker: { volumeThreshold: 1000 }, bookTimeoutMs: 5000 },
  );
  const store = new SellerBookingStore(db.knex);
  const peers = fakePeers();
  const principal: Principal = { kind: "service", id: "sellers", roles: [], token: "sellers-token" };
  const handlerWith = (deps: Partial<SellerBookingsDeps> = {}) =>
    sellerBookings({
      store,
      adapters,
      booking: localClient(BookingService, peers.booking),
      payment: localClient(PaymentService, peers.payment),
      principal: async () => principal,
      deadlineMs: DEADLINE_MS,
      ...deps,
    });
  const fixture: BookingsFixture = {
    test,
    db,
    busDb,
    bus,
    store,
    peers,
    sellers,
    adapters,
    principal,
    handlerWith,
    handler: handlerWith(),
    publishPaid: (r) =>
      bus.publish(postgresOutbox(busDb.knex), topicOf(ReservationEventSchema), r.reservationId, create(ReservationEventSchema, { event: { case: "paid", value: { reservation: r } } })),
    publishCancelled: (r) =>
      bus.publish(
        postgresOutbox(busDb.knex),
        topicOf(ReservationEventSchema),
        r.reservationId,
        create(ReservationEventSchema, { event: { case: "cancelled", value: { reservation: { ...r, state: ReservationState.CANCELLED } } } }),
      ),
    async close() {
      await bus.close();
      adapters.forEach((a) => a.close());
      await Promise.all(Object.values(sellers).map((s) => s.fake.close()));
      await busDb.close();
      await db.close();
      await test.drop();
    },
  };
  await subscribeSellerBookings(bus, (ctx, m, meta) => fixture.handler(ctx, m, meta), { backoff: () => 50, concurrency: 4 });
  return fixture;
}
