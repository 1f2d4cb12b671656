// Availability thresholds: each night of a hotel stay counts down from
// BOOKING_ROOM_THRESHOLD (3 here); RoomSoldOut goes out exactly when a night
// reaches zero — once, by the booking that took its last unit — keyed by
// the room, with the stay of that booking.
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
  assert.equal(await soldOut(), ["casa/h-aurora/r-1 12→14"]);
  const [event] = await f.db.knex.raw(`select key from bus.messages where topic = 'booking.availability'`).then((r: { rows: { key: string }[] }) => r.rows);
  assert.is(event!.key, "r-1", "keyed by the room id");

  // a night already at zero stays there and is not announced again
  await book({ ...room, checkIn: [2026, 12, 12], checkOut: [2026, 12, 13] });
  assert.equal((await remaining("r-1"))["2026-12-12"], 0);
  assert.equal(await soldOut(), ["casa/h-aurora/r-1 12→14"]);

  // another night reaching zero is announced, once
  await book({ ...room, checkIn: [2026, 12, 10], checkOut: [2026, 12, 12] });
  assert.equal(await remaining("r-1"), { "2026-12-10": 0, "2026-12-11": 0, "2026-12-12": 0, "2026-12-13": 2 });
  assert.equal(await soldOut(), ["casa/h-aurora/r-1 12→14", "casa/h-aurora/r-1 10→12"]);
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
  // the 1st is booked 3 times, the 2nd and 3rd 6 times: all at zero, none below
  assert.equal(await remaining("r-busy"), { "2027-03-01": 0, "2027-03-02": 0, "2027-03-03": 0 });
  const announced = (await f.soldOut()).slice(before);
  assert.ok(announced.length >= 1 && announced.length <= 3, `one RoomSoldOut per booking that emptied a night: ${announced.length}`);
  assert.ok(announced.every((s) => s.roomId === "r-busy"));
});

test.run();
