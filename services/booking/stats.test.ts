// CountReservationsByState on real PostgreSQL: reservations made in different
// hours, moved through different states by the real transitions, are counted
// in the bucket of their creation under the state they are in now; empty
// buckets are answered with zeros; only operators (a person with the role, or
// the operator tool) may ask; a window or bucket out of bounds is
// INVALID_ARGUMENT, through the middleware and on a direct call alike.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import type { ReservationStateBucket } from "../../gen/itinera/booking/v1/booking_pb.js";
import { bookingFixture, createRequest, eur, failure, log, type BookingFixture } from "./fixture.js";

const HOUR = 3_600_000;
let f: BookingFixture;
/** The start of the current hour when the reservations were placed: buckets are found by their start, so an hour turning mid-test moves none. */
let hour: number;

const operator = () => backgroundContext({ log, principal: { kind: "customer", id: "olivia", roles: ["customer", "operator"] } });
const tool = () => backgroundContext({ log, principal: { kind: "service", id: "operator", roles: [] } });

/** Makes a reservation, moves it to `state` through the service, and dates its creation `hoursAgo` full hours before this hour (plus `minute` minutes). */
async function reservation(state: "paid" | "confirmed" | "cancelled" | "failed", hoursAgo: number, minute = 1) {
  const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "pia" }));
  const id = reservation!.reservationId;
  if (state === "confirmed") await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId: id, sellerReference: "CASA-1" });
  if (state === "cancelled") await f.client.cancelReservation(f.customer("pia"), { reservationId: id });
  if (state === "failed") await f.client.failReservation(f.serviceCtx("sellers"), { reservationId: id, reason: "no room", refunded: eur(30_000n) });
  await f.db.knex("reservations").where({ reservation_id: id }).update({ create_time: new Date(hour - hoursAgo * HOUR + minute * 60_000) });
}

const at = (buckets: ReservationStateBucket[], hoursAgo: number) => {
  const b = buckets.find((x) => Number(x.startTime!.seconds) * 1000 === hour - hoursAgo * HOUR);
  assert.ok(b, `a bucket starting ${hoursAgo} h before this hour`);
  return [b.paid, b.confirmed, b.fulfilled, b.cancelled, b.failed];
};

test.before(async () => {
  f = await bookingFixture();
  hour = Math.floor(Date.now() / HOUR) * HOUR;
  await reservation("paid", 0);
  await reservation("paid", 0, 59);
  await reservation("confirmed", 0);
  await reservation("failed", 2);
  await reservation("cancelled", 2);
  await reservation("confirmed", 5);
  await reservation("paid", 30); // outside the last 24 h
});
test.after(async () => {
  await f.close();
});

test("hourly buckets over 24 h: each reservation in its creation's hour, under its state now; empty hours are zeros", async () => {
  const res = await f.client.countReservationsByState(operator(), {});
  assert.is(res.bucketMinutes, 60);
  assert.is(res.buckets.length, 24);
  const starts = res.buckets.map((b) => Number(b.startTime!.seconds));
  assert.equal(starts, [...starts].sort((a, b) => a - b), "oldest first");
  assert.equal(at(res.buckets, 0), [2, 1, 0, 0, 0]);
  assert.equal(at(res.buckets, 2), [0, 0, 0, 1, 1]);
  assert.equal(at(res.buckets, 5), [0, 1, 0, 0, 0]);
  assert.equal(at(res.buckets, 1), [0, 0, 0, 0, 0]);
  const total = res.buckets.reduce((n, b) => n + b.paid + b.confirmed + b.fulfilled + b.cancelled + b.failed, 0);
  assert.is(total, 6, "the reservation of 30 h ago is outside the window");
});

test("a wider window and other buckets count the same rows: 48 h in 4-hour buckets", async () => {
  const res = await f.client.countReservationsByState(tool(), { windowHours: 48, bucketMinutes: 240 });
  assert.is(res.buckets.length, 12);
  const sum = (i: number) => res.buckets.map((b) => [b.paid, b.confirmed, b.fulfilled, b.cancelled, b.failed][i]!).reduce((a, b) => a + b, 0);
  assert.equal([sum(0), sum(1), sum(2), sum(3), sum(4)], [3, 2, 0, 1, 1], "the 30 h old one counted now");
});

test("only operators: a customer without the role and another service are refused", async () => {
  assert.is((await failure(f.client.countReservationsByState(f.customer("pia"), {}))).code, Code.PermissionDenied);
  assert.is((await failure(f.client.countReservationsByState(f.serviceCtx("payment"), {}))).code, Code.PermissionDenied);
});

test("a window or bucket out of bounds is INVALID_ARGUMENT naming the field, through the middleware and on a direct call", async () => {
  const bad = [
    [{ windowHours: 169 }, "window_hours"],
    [{ bucketMinutes: 4 }, "bucket_minutes"],
    [{ bucketMinutes: 1441 }, "bucket_minutes"],
    [{ bucketMinutes: 7 }, "bucket_minutes"], // does not divide 1440
    [{ windowHours: 168, bucketMinutes: 5 }, "bucket_minutes"], // 2016 buckets
  ] as const;
  for (const [req, field] of bad) {
    for (const call of [f.client.countReservationsByState(operator(), req), f.service.countReservationsByState(operator(), { $typeName: "itinera.booking.v1.CountReservationsByStateRequest", windowHours: 0, bucketMinutes: 0, ...req })]) {
      const e = await failure(call);
      assert.is(e.code, Code.InvalidArgument, JSON.stringify(req));
      assert.match(e.message, field);
    }
  }
});

test.run();
