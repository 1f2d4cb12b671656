// Availability thresholds: each night of a hotel stay counts down from
// BOOKING_ROOM_THRESHOLD (3 here), below zero past it; RoomSoldOut goes out
// exactly when a night reaches zero — once, by the booking that took its
// last unit — keyed by the room, one per run of consecutive nights that did.
// A cancelled or failed reservation gives its nights back once (the state
// changes once), and RoomAvailable announces the nights back from zero.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bookingFixture, createRequest, hotelItem, type BookingFixture, type StayOptions } from "./fixture.js";

let f: BookingFixture;
test.before(async () => {
  f = await bookingFixture({ settings: { roomThreshold: 3 } });
});
test.after(async () => {
  await f.close();
});

async function book(stay: StayOptions) {
  const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest({ item: hotelItem(stay) }));
  return reservation!;
}

async function remaining(roomId: string, sellerId = "casa"): Promise<Record<string, number>> {
  const rows = (await f.db.knex.raw(
    `select to_char(night, 'YYYY-MM-DD') as night, remaining from availability where room_id = ? and seller_id = ? order by night`,
    [roomId, sellerId],
  )) as { rows: { night: string; remaining: number }[] };
  return Object.fromEntries(rows.rows.map((r) => [r.night, r.remaining]));
}

const soldOut = async () =>
  (await f.soldOut()).map((s) => `${s.sellerId}/${s.hotelId}/${s.roomId} ${s.checkIn!.day}→${s.checkOut!.day}`);

test("nights count down from the threshold and RoomSoldOut is published exactly when one reaches zero", async () => {
  const room = { roomId: "r-1" };
  await book({ ...room, checkIn: [2026, 12, 10], checkOut: [2026, 12, 13] });
  await book({ ...room, checkIn: [2026, 12, 10], checkOut: [2026, 12, 13] });
  assert.equal(await remaining("r-1"), { "2026-12-10": 1, "2026-12-11": 1, "2026-12-12": 1 });
  assert.equal(await soldOut(), [], "nothing sold out at 1");

  // takes the 12th's last unit, and the 13th's first
  await book({ ...room, checkIn: [2026, 12, 12], checkOut: [2026, 12, 14] });
  assert.equal(await remaining("r-1"), { "2026-12-10": 1, "2026-12-11": 1, "2026-12-12": 0, "2026-12-13": 2 });
  assert.equal(await soldOut(), ["casa/h-aurora/r-1 12→13"], "only the night that sold out");
  const [event] = await f.db.knex.raw(`select key from bus.messages where topic = 'booking.availability'`).then((r: { rows: { key: string }[] }) => r.rows);
  assert.is(event!.key, "r-1", "keyed by the room id");

  // a night already at zero counts the booking past the threshold and is not announced again
  await book({ ...room, checkIn: [2026, 12, 12], checkOut: [2026, 12, 13] });
  assert.equal((await remaining("r-1"))["2026-12-12"], -1);
  assert.equal(await soldOut(), ["casa/h-aurora/r-1 12→13"]);

  // other nights reaching zero are announced, once, as one run
  await book({ ...room, checkIn: [2026, 12, 10], checkOut: [2026, 12, 12] });
  assert.equal(await remaining("r-1"), { "2026-12-10": 0, "2026-12-11": 0, "2026-12-12": -1, "2026-12-13": 2 });
  assert.equal(await soldOut(), ["casa/h-aurora/r-1 12→13", "casa/h-aurora/r-1 10→12"]);
});

test("rooms are counted per seller, hotel and room", async () => {
  await book({ roomId: "r-2", checkIn: [2027, 1, 1], checkOut: [2027, 1, 2] });
  await book({ roomId: "r-2", sellerId: "wanderly", checkIn: [2027, 1, 1], checkOut: [2027, 1, 2] });
  await book({ roomId: "r-3", checkIn: [2027, 1, 1], checkOut: [2027, 1, 2] });
  assert.equal(await remaining("r-2"), { "2027-01-01": 2 });
  assert.equal(await remaining("r-2", "wanderly"), { "2027-01-01": 2 });
  assert.equal(await remaining("r-3"), { "2027-01-01": 2 });
});

test("concurrent bookings of overlapping stays take each unit once and announce each night once", async () => {
  const stays: StayOptions[] = Array.from({ length: 6 }, (_, i) => ({
    roomId: "r-busy",
    checkIn: [2027, 3, 1 + (i % 2)] as [number, number, number],
    checkOut: [2027, 3, 4] as [number, number, number],
  }));
  const before = (await f.soldOut()).length;
  await Promise.all(stays.map(book));
  // the 1st is booked 3 times, the 2nd and 3rd 6 times: at zero, and three past it
  assert.equal(await remaining("r-busy"), { "2027-03-01": 0, "2027-03-02": -3, "2027-03-03": -3 });
  const announced = (await f.soldOut()).slice(before);
  const nights = announced.flatMap((s) => Array.from({ length: s.checkOut!.day - s.checkIn!.day }, (_, i) => s.checkIn!.day + i)).sort();
  assert.equal(nights, [1, 2, 3], "each night announced sold out exactly once");
  assert.ok(announced.every((s) => s.roomId === "r-busy"));
});

const available = async () =>
  (await f.available()).map((s) => `${s.sellerId}/${s.hotelId}/${s.roomId} ${s.checkIn!.day}→${s.checkOut!.day}`);

test("a cancellation and a failure give the nights back once; RoomAvailable announces the nights back from zero", async () => {
  const room = { roomId: "r-back", checkIn: [2027, 4, 1] as [number, number, number], checkOut: [2027, 4, 3] as [number, number, number] };
  const first = await book(room);
  await book(room);
  const third = await book({ ...room, checkIn: [2027, 4, 2] });
  assert.equal(await remaining("r-back"), { "2027-04-01": 1, "2027-04-02": 0 });
  const before = (await available()).length;

  // the customer cancels the third: the 2nd takes bookings again
  const customer = f.customer(third.customerId);
  await f.client.cancelReservation(customer, { reservationId: third.reservationId });
  assert.equal(await remaining("r-back"), { "2027-04-01": 1, "2027-04-02": 1 });
  assert.equal((await available()).slice(before), ["casa/h-aurora/r-back 2→3"]);
  const [event] = (await f.db.knex.raw(`select key from bus.messages where topic = 'booking.returns'`)).rows as { key: string }[];
  assert.is(event!.key, "r-back", "keyed by the room id");

  // a repeated cancellation gives nothing more back
  await f.client.cancelReservation(customer, { reservationId: third.reservationId });
  assert.equal(await remaining("r-back"), { "2027-04-01": 1, "2027-04-02": 1 });

  // the seller refuses the first: both its nights come back, none was at zero
  await f.client.failReservation(f.serviceCtx("sellers"), { reservationId: first.reservationId, reason: "no rooms" });
  await f.client.failReservation(f.serviceCtx("sellers"), { reservationId: first.reservationId, reason: "no rooms" });
  assert.equal(await remaining("r-back"), { "2027-04-01": 2, "2027-04-02": 2 });
  assert.equal((await available()).slice(before), ["casa/h-aurora/r-back 2→3"], "only a night back from zero is announced");
});

test("a night booked past its threshold comes back only when the last booking past it is gone", async () => {
  const room = { roomId: "r-over", checkIn: [2027, 5, 1] as [number, number, number], checkOut: [2027, 5, 2] as [number, number, number] };
  const taken = [];
  for (let i = 0; i < 4; i++) taken.push(await book(room));
  assert.equal(await remaining("r-over"), { "2027-05-01": -1 });
  const before = (await available()).length;
  await f.client.cancelReservation(f.customer(taken[3]!.customerId), { reservationId: taken[3]!.reservationId });
  assert.equal(await remaining("r-over"), { "2027-05-01": 0 });
  assert.equal((await available()).slice(before), [], "still sold out");
  await f.client.cancelReservation(f.customer(taken[2]!.customerId), { reservationId: taken[2]!.reservationId });
  assert.equal((await available()).slice(before), ["casa/h-aurora/r-over 1→2"]);
});

test.run();
