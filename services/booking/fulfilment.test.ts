// FULFILLED after the stay or flight has ended, even with two replicas of
// booking: two sweeps, each on its own pool (as two processes would be) and
// with its own advisory lock (platform/job-lock.ts), race over one real
// database with the clock moved past the stay. Each ended CONFIRMED
// reservation becomes FULFILLED once with one ReservationFulfilled; one not
// yet ended, or not CONFIRMED, is left as it is. ends.ts says when "ended" is.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { advisoryExclusive } from "../../platform/job-lock.js";
import { create } from "@bufbuild/protobuf";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { endOf } from "./ends.js";
import { bookingFixture, createRequest, flightItem, hotelItem, type BookingFixture, type CreateOptions } from "./fixture.js";
import { FulfilmentSweep } from "./fulfilment.js";

let f: BookingFixture;
test.before(async () => {
  f = await bookingFixture();
});
test.after(async () => {
  await f.close();
});

const log = pino({ level: "silent" });
const ctx = () => backgroundContext({ log });

async function confirmed(o: CreateOptions = {}): Promise<string> {
  const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest(o));
  const id = reservation!.reservationId;
  await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId: id, sellerReference: `REF-${id}` });
  return id;
}

const state = async (id: string) => (await f.store.byId(id))!.state;

test("ended: a stay the day after check-out at 12:00 UTC, a flight three days after the last local departure date at 12:00 UTC", () => {
  const end = (item: Parameters<typeof hotelItem>[0]) => endOf(create(ItemSchema, hotelItem(item)))?.toISOString();
  assert.is(end({ checkIn: [2026, 12, 10], checkOut: [2026, 12, 13] }), "2026-12-14T12:00:00.000Z");
  assert.is(end({ checkIn: [2026, 12, 30], checkOut: [2027, 1, 1] }), "2027-01-02T12:00:00.000Z");
  assert.is(endOf(create(ItemSchema, flightItem()))?.toISOString(), "2026-12-04T12:00:00.000Z", "SL123-2026-12-01");
  const roundTrip = create(ItemSchema, { sellerId: "skylark", kind: { case: "flightTrip", value: { outboundFlightId: "SL1-2026-12-01", returnFlightId: "SL2-2026-12-08" } } });
  assert.is(endOf(roundTrip)?.toISOString(), "2026-12-11T12:00:00.000Z", "the return flight ends the trip");
  const unknown = create(ItemSchema, { sellerId: "skylark", kind: { case: "flightTrip", value: { outboundFlightId: "SL1" } } });
  assert.is(endOf(unknown), undefined, "a flight id without its date has no known end");
});

test("two replicas sweeping at once with the clock past the stay: FULFILLED exactly once, one ReservationFulfilled each", async () => {
  const ended = await confirmed({ item: hotelItem({ roomId: "r-ended", checkIn: [2026, 12, 10], checkOut: [2026, 12, 13] }) });
  const flight = await confirmed({ item: flightItem() });
  const later = await confirmed({ item: hotelItem({ roomId: "r-later", checkIn: [2026, 12, 20], checkOut: [2026, 12, 22] }) });
  const { reservation: paid } = await f.client.createReservation(f.serviceCtx(), createRequest({ item: hotelItem({ roomId: "r-paid" }) }));

  // 2026-12-14 12:00 UTC: the first stay is over everywhere, and the flight of the 1st; the stay to the 22nd is not.
  const now = () => new Date("2026-12-14T12:00:00Z");
  const other = await f.replica();
  const sweeps = [
    new FulfilmentSweep({ store: f.store, bus: f.bus, exclusive: advisoryExclusive(f.db.knex), now, batch: 1 }),
    new FulfilmentSweep({ store: other.store, bus: f.bus, exclusive: advisoryExclusive(other.db.knex), now, batch: 1 }),
  ];
  const results = await Promise.all([...sweeps, ...sweeps].map((s) => s.sweep(ctx())));
  const fulfilled = results.flatMap((r) => r ?? []).sort();
  assert.equal(fulfilled, [ended, flight].sort(), "each ended reservation fulfilled by exactly one sweep");

  assert.is(await state(ended), "fulfilled");
  assert.is(await state(flight), "fulfilled");
  assert.is(await state(later), "confirmed", "a stay not yet over stays CONFIRMED");
  assert.is(await state(paid!.reservationId), "paid", "only a CONFIRMED reservation is fulfilled");
  assert.equal((await f.events(ended)).map((e) => e.kind), ["paid", "confirmed", "fulfilled"]);
  assert.equal((await f.events(flight)).map((e) => e.kind), ["paid", "confirmed", "fulfilled"]);
  const [event] = (await f.events(ended)).filter((e) => e.kind === "fulfilled");
  assert.is(event!.reservation.state, ReservationState.FULFILLED);

  // Later sweeps, on either replica, find nothing more to do.
  for (const s of sweeps) assert.equal(await s.sweep(ctx()), []);
  assert.equal((await f.events()).filter((e) => e.kind === "fulfilled").length, 2);

  // The clock passes the second stay: the next sweep fulfils it.
  const afterwards = new FulfilmentSweep({ store: other.store, bus: f.bus, exclusive: advisoryExclusive(other.db.knex), now: () => new Date("2026-12-23T12:00:00Z") });
  assert.equal(await afterwards.sweep(ctx()), [later]);
});

test("a replica finding the job's lock held skips the run; a FULFILLED reservation cannot be cancelled", async () => {
  const id = await confirmed({ item: hotelItem({ roomId: "r-held", checkIn: [2026, 11, 1], checkOut: [2026, 11, 2] }) });
  const other = await f.replica();
  const now = () => new Date("2026-12-01T12:00:00Z");
  const sweep = new FulfilmentSweep({ store: other.store, bus: f.bus, exclusive: advisoryExclusive(other.db.knex), now });
  // This replica holds the lock while the other sweeps.
  const skipped = await advisoryExclusive(f.db.knex)("booking.fulfilment", () => sweep.sweep(ctx()));
  assert.equal(skipped, { ran: true, value: undefined });
  assert.is(await state(id), "confirmed");
  assert.equal(await sweep.sweep(ctx()), [id]);
  const err = await f.client.cancelReservation(f.customer("alice"), { reservationId: id }).catch((e: unknown) => e);
  assert.match(String(err), /already taken place/);
});

test.run();
