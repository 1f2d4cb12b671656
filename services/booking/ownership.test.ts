// A customer sees and cancels only their own reservations: someone else's id
// answers exactly what an unknown id answers (NOT_FOUND, same sentence), and
// the list shows only their own. Of the services, sellers alone reads any
// reservation (GetReservation's callers option); every other is refused.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import {
  CancelReservationRequestSchema,
  GetReservationRequestSchema,
  ReservationState,
} from "../../gen/itinera/booking/v1/booking_pb.js";
import { bookingFixture, createRequest, failure, type BookingFixture } from "./fixture.js";

let f: BookingFixture;
let ofAnna: string;
test.before(async () => {
  f = await bookingFixture();
  ofAnna = (await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "anna" }))).reservation!.reservationId;
  await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "anna" }));
  await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "ben" }));
});
test.after(async () => {
  await f.close();
});

const UNKNOWN = "res_aaaaaaaaaaaaaaaaaaaaaaaaaa";

test("the owner reads, quotes and lists their reservation", async () => {
  const { reservation } = await f.client.getReservation(f.customer("anna"), { reservationId: ofAnna });
  assert.is(reservation!.customerId, "anna");
  const quote = await f.client.quoteCancellation(f.customer("anna"), { reservationId: ofAnna });
  assert.is(quote.refund!.amountMinor, 30_000n);
  const { reservations } = await f.client.listReservations(f.customer("anna"), {});
  assert.is(reservations.length, 2);
  assert.ok(reservations.every((r) => r.customerId === "anna"));
});

for (const [name, call] of [
  ["GetReservation", (id: string) => f.client.getReservation(f.customer("ben"), { reservationId: id })],
  ["QuoteCancellation", (id: string) => f.client.quoteCancellation(f.customer("ben"), { reservationId: id })],
  ["CancelReservation", (id: string) => f.client.cancelReservation(f.customer("ben"), { reservationId: id })],
] as const) {
  test(`${name}: another customer's reservation is NOT_FOUND with the same message as an unknown id`, async () => {
    const theirs = await failure(call(ofAnna));
    const unknown = await failure(call(UNKNOWN));
    assert.is(theirs.code, Code.NotFound);
    assert.is(unknown.code, Code.NotFound);
    assert.is(theirs.message.replace(ofAnna, "<id>"), unknown.message.replace(UNKNOWN, "<id>"));
  });
}

test("ben's failed attempt to cancel anna's reservation changed nothing", async () => {
  const { reservation } = await f.client.getReservation(f.customer("anna"), { reservationId: ofAnna });
  assert.is(reservation!.state, ReservationState.PAID);
  assert.equal((await f.events(ofAnna)).map((e) => e.kind), ["paid"]);
});

test("the list shows only the caller's own", async () => {
  const { reservations } = await f.client.listReservations(f.customer("ben"), {});
  assert.equal(reservations.map((r) => r.customerId), ["ben"]);
  const none = await f.client.listReservations(f.customer("carl"), {});
  assert.equal([none.reservations.length, none.nextPageToken], [0, ""]);
});

test("the sellers service reads any customer's reservation (an unknown id is NOT_FOUND); any other service is refused before any lookup", async () => {
  const { reservation } = await f.client.getReservation(f.serviceCtx("sellers"), { reservationId: ofAnna });
  assert.equal([reservation!.customerId, reservation!.state], ["anna", ReservationState.PAID]);
  assert.is((await failure(f.client.getReservation(f.serviceCtx("sellers"), { reservationId: UNKNOWN }))).code, Code.NotFound);
  for (const reservationId of [ofAnna, UNKNOWN]) {
    const e = await failure(f.client.getReservation(f.serviceCtx("mailer"), { reservationId }));
    assert.is(e.code, Code.PermissionDenied);
    assert.is(e.message, 'GetReservation may be called by a signed-in customer or the service sellers, not by the service "mailer"');
  }
});

test("services cannot list, quote or cancel for customers (PermissionDenied); nobody signed in is Unauthenticated", async () => {
  assert.is((await failure(f.client.listReservations(f.serviceCtx(), {}))).code, Code.PermissionDenied);
  assert.is((await failure(f.client.cancelReservation(f.serviceCtx(), { reservationId: ofAnna }))).code, Code.PermissionDenied);
  assert.is((await failure(f.client.quoteCancellation(f.serviceCtx(), { reservationId: ofAnna }))).code, Code.PermissionDenied);
  assert.is((await failure(f.client.confirmReservation(f.customer("anna"), { reservationId: ofAnna, sellerReference: "X" }))).code, Code.PermissionDenied);
  // and the service itself, called without the access middleware, still scopes to a customer
  assert.is((await failure(f.service.cancelReservation(f.serviceCtx(), create(CancelReservationRequestSchema, { reservationId: ofAnna })))).code, Code.Unauthenticated);
  assert.is((await failure(f.service.getReservation(f.customer("ben"), create(GetReservationRequestSchema, { reservationId: ofAnna })))).code, Code.NotFound);
});

test.run();
