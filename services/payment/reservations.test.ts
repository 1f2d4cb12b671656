// The reservation consumer on the real bus and PostgreSQL with a fake
// booking service: an authorised payment becomes one CreateReservation call
// made as payment's own service principal, retried until booking answers,
// and its reservation id is recorded; a declined payment calls nothing; a
// redelivered message calls booking no more.
import { fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Principal } from "../../endpoints/context.js";
import { Code, KitError, unavailable } from "../../endpoints/errors.js";
import { localClient, type Service } from "../../endpoints/service.js";
import { BookingService, ReservationState, type CreateReservationRequest } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentEventSchema, type PaymentEvent } from "../../gen/itinera/payment/v1/events_pb.js";
import type { Subscription } from "../../endpoints/bus.js";
import { waitFor } from "../../transport/bus/database.fixture.js";
import { signedCallback } from "./fake-gateway.fixture.js";
import { paymentFixture, TEST_GATEWAY_SECRET, type PaymentFixture } from "./fixture.js";
import { flightPayment, hotelPayment } from "./payments.fixture.js";
import { RESERVATIONS_GROUP, reservationHandler, subscribeReservations, type ReservationConsumerDeps } from "./reservations.js";

/** Booking as far as the consumer uses it: CreateReservation, idempotent by payment id, failing while told to. */
function fakeBooking() {
  const state = { failuresLeft: 0, calls: [] as { principal: Principal | undefined; req: CreateReservationRequest }[] };
  const made = new Map<string, string>();
  const notHere = () => Promise.reject(new KitError(Code.Unimplemented, "not in the fake"));
  const impl: Service<typeof BookingService> = {
    async createReservation(ctx, req) {
      state.calls.push({ principal: ctx.principal, req });
      if (state.failuresLeft > 0) {
        state.failuresLeft--;
        throw unavailable("booking is restarting");
      }
      const reservationId = made.get(req.paymentId) ?? `res_${made.size + 1}`;
      made.set(req.paymentId, reservationId);
      const now = timestampFromDate(new Date());
      return {
        reservation: { reservationId, paymentId: req.paymentId, customerId: req.customerId, state: ReservationState.PAID, createTime: now, updateTime: now },
      };
    },
    getReservation: notHere,
    listReservations: notHere,
    quoteCancellation: notHere,
    cancelReservation: notHere,
    confirmReservation: notHere,
    failReservation: notHere,
    countReservationsByState: notHere,
  };
  return { state, client: localClient(BookingService, impl) };
}

const self: Principal = { kind: "service", id: "payment", roles: [], token: "payment-service-token" };

let f: PaymentFixture;
let booking: ReturnType<typeof fakeBooking>;
let deps: ReservationConsumerDeps;
let subscription: Subscription;

test.before(async () => {
  f = await paymentFixture();
  booking = fakeBooking();
  deps = { store: f.store, booking: booking.client, principal: async () => self };
  subscription = await subscribeReservations(f.bus, deps, { backoff: () => 20 });
});
test.after(async () => {
  await subscription.stop();
  await f.close();
});

let keys = 0;
async function decided(customerId: string, status: "authorised" | "declined", flight = false) {
  const req = flight ? flightPayment(customerId, `res-${++keys}`, 8800n) : hotelPayment(customerId, `res-${++keys}`, 8800n, 700n);
  const { payment } = await f.client.makePayment(f.as(customerId), req);
  const id = payment!.paymentId;
  await f.callbacks.receive(backgroundContext({ log: f.log }), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(id, status)));
  return id;
}

const reservationOf = async (id: string) => (await f.database.knex("payments").where({ payment_id: id }).first()).reservation_id as string | null;

test("an authorised payment becomes a reservation, retried until booking answers, as payment's own principal", async () => {
  booking.state.failuresLeft = 3;
  const id = await decided("alice", "authorised");
  await waitFor("the reservation id", async () => (await reservationOf(id)) !== null);
  const calls = booking.state.calls.filter((c) => c.req.paymentId === id);
  assert.is(calls.length, 4, "three failures, then the call that succeeded");
  for (const c of calls) assert.equal([c.principal?.kind, c.principal?.id, c.principal?.token], ["service", "payment", "payment-service-token"]);
  const req = calls[3]!.req;
  assert.equal([req.customerId, req.amount!.amountMinor, req.amount!.currency, req.markdown!.amountMinor], ["alice", 8800n, "EUR", 700n]);
  assert.is(req.item!.kind.case, "hotelStay");
  assert.is(await reservationOf(id), "res_1");
  const dead = await f.database.knex.raw(`select count(*)::int as n from bus.dead_letters`);
  assert.is(dead.rows[0].n, 0);
});

test("a declined payment calls booking for nothing", async () => {
  const before = booking.state.calls.length;
  const declined = await decided("bob", "declined");
  const authorised = await decided("bob", "authorised", true);
  await waitFor("every message handled", async () => {
    const pending = await f.database.knex.raw(`select count(*)::int as n from bus.deliveries where group_name = ?`, [RESERVATIONS_GROUP]);
    return pending.rows[0].n === 0;
  });
  assert.equal(booking.state.calls.slice(before).map((c) => c.req.paymentId), [authorised]);
  assert.is(await reservationOf(declined), null);
});

test("a redelivered message is handled once: booking is not called again", async () => {
  const handler = reservationHandler(deps);
  const id = await decided("carol", "authorised");
  await waitFor("the reservation", async () => (await reservationOf(id)) !== null);
  const [row] = (
    await f.database.knex.raw<{ rows: { id: bigint; payload: Buffer }[] }>(`select id, payload from bus.messages where key = ?`, [id])
  ).rows;
  const event: PaymentEvent = fromBinary(PaymentEventSchema, row!.payload);
  const meta = { messageId: BigInt(row!.id), topic: "payment.payments", key: id, group: RESERVATIONS_GROUP, attempt: 2, publishedAt: new Date() };
  const calls = booking.state.calls.length;
  await handler(backgroundContext({ log: f.log }), event, meta);
  await handler(backgroundContext({ log: f.log }), event, meta);
  assert.is(booking.state.calls.length, calls);
  assert.is((await f.database.knex("inbox").where({ message_id: row!.id.toString() })).length, 1);
});

test.run();
