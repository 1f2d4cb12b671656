// CreateReservation on real PostgreSQL with a fake wallet: one reservation,
// one hold and one ReservationPaid per payment however often and however
// concurrently it is asked; nothing written from bad input; the wallet's
// refusal turns into a FAILED reservation; the wallet is called as booking.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code, unavailable } from "../../endpoints/errors.js";
import { CreateReservationRequestSchema, ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { WALLET_REFUSED_REASON } from "./create.js";
import {
  BOOKING_PRINCIPAL,
  bookingFixture,
  createRequest,
  eur,
  failure,
  flightItem,
  hotelItem,
  log,
  type BookingFixture,
} from "./fixture.js";
import { reservationIdOf } from "./ids.js";

let f: BookingFixture;
test.before(async () => {
  f = await bookingFixture();
});
test.after(async () => {
  await f.close();
});

const holdCalls = () => f.wallet.calls.filter((c) => c.method === "Hold");

test("a reservation is PAID, its markdown held by booking under hold:<id>, and ReservationPaid published", async () => {
  f.wallet.setBalance("alice", 10_000n);
  const req = createRequest({ customerId: "alice", amountMinor: 30_000n, markdownMinor: 4_000n });
  const { reservation: r } = await f.client.createReservation(f.serviceCtx("payment"), req);
  const id = reservationIdOf(req.paymentId);
  assert.is(r!.reservationId, id);
  assert.match(id, /^res_[a-z2-7]{26}$/);
  assert.equal([r!.state, r!.customerId, r!.paymentId], [ReservationState.PAID, "alice", req.paymentId]);
  assert.equal([r!.amount!.amountMinor, r!.markdown!.amountMinor, r!.amount!.currency], [30_000n, 4_000n, "EUR"]);
  assert.is(r!.item!.title, "Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.is(r!.refunded, undefined, "nothing refunded while PAID");
  assert.equal(f.wallet.effects(), [`hold:${id}`]);
  assert.is(f.wallet.balance("alice"), 6_000n);
  // the wallet sees booking's own service principal, not payment's
  assert.equal(holdCalls()[0]!.principal, BOOKING_PRINCIPAL);
  const events = await f.events(id);
  assert.equal(events.map((e) => e.kind), ["paid"]);
  assert.equal(events[0]!.reservation, r);
});

test("ten identical calls at once: one reservation, one hold, one ReservationPaid, one night taken", async () => {
  f.wallet.setBalance("bruno", 10_000n);
  const req = createRequest({ customerId: "bruno", markdownMinor: 2_500n, item: hotelItem({ roomId: "r-ten" }) });
  const before = holdCalls().length;
  const answers = await Promise.all(Array.from({ length: 10 }, () => f.client.createReservation(f.serviceCtx(), req)));
  const id = reservationIdOf(req.paymentId);
  assert.equal(new Set(answers.map((a) => a.reservation!.reservationId)), new Set([id]));
  assert.ok(answers.every((a) => a.reservation!.state === ReservationState.PAID));
  assert.is(holdCalls().length - before, 1, "the wallet was asked once");
  assert.equal(f.wallet.effects().filter((k) => k === `hold:${id}`), [`hold:${id}`]);
  assert.is(f.wallet.balance("bruno"), 7_500n);
  const rows = await f.db.knex("reservations").where({ payment_id: req.paymentId }).count({ n: "*" });
  assert.is(Number(rows[0]!.n), 1);
  assert.equal((await f.events(id)).map((e) => e.kind), ["paid"]);
  const nights = await f.db.knex("availability").where({ room_id: "r-ten" }).orderBy("night").pluck("remaining");
  assert.equal(nights, [9, 9, 9], "each night counted down once");
});

test("a repeated call after the reservation moved on answers it as it is now, and does nothing", async () => {
  f.wallet.setBalance("carla", 5_000n);
  const req = createRequest({ customerId: "carla", markdownMinor: 1_000n });
  const { reservation: first } = await f.client.createReservation(f.serviceCtx(), req);
  await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId: first!.reservationId, sellerReference: "CASA-1" });
  const calls = f.wallet.calls.length;
  const counts = await f.counts();
  const { reservation: again } = await f.client.createReservation(f.serviceCtx(), req);
  assert.is(again!.state, ReservationState.CONFIRMED);
  assert.is(again!.sellerReference, "CASA-1");
  assert.is(f.wallet.calls.length, calls, "no wallet call");
  assert.equal(await f.counts(), counts, "nothing written, nothing published");
});

test("the same payment id with a different request is ALREADY_EXISTS and changes nothing", async () => {
  const req = createRequest({ customerId: "dora" });
  await f.client.createReservation(f.serviceCtx(), req);
  const counts = await f.counts();
  const e = await failure(f.client.createReservation(f.serviceCtx(), { ...req, amount: eur(1n) }));
  assert.is(e.code, Code.AlreadyExists);
  assert.match(e.message, req.paymentId);
  const other = await failure(f.client.createReservation(f.serviceCtx(), { ...req, customerId: "mallory" }));
  assert.is(other.code, Code.AlreadyExists);
  assert.equal(await f.counts(), counts);
});

test("bad input names every bad field and writes nothing — through the middleware and calling the service directly", async () => {
  const good = createRequest({ markdownMinor: 1_000n });
  const stay = hotelItem({ checkIn: [2026, 12, 10], checkOut: [2026, 12, 10], starRating: 6 });
  const bad: { req: MessageInitShape<typeof CreateReservationRequestSchema>; fields: string[] }[] = [
    { req: { ...good, paymentId: "" }, fields: ["payment_id"] },
    { req: { ...good, customerId: " ", amount: eur(0n) }, fields: ["customer_id", "amount.amount_minor"] },
    { req: { ...good, amount: { amountMinor: 100n, currency: "USD" }, markdown: { amountMinor: 5n, currency: "EUR" } }, fields: ["amount.currency", "markdown.currency"] },
    { req: { ...good, markdown: eur(-1n) }, fields: ["markdown.amount_minor"] },
    { req: { ...good, item: undefined }, fields: ["item"] },
    { req: { ...good, item: { sellerId: "casa", title: "nothing" } }, fields: ["item.kind"] },
    { req: { ...good, item: stay }, fields: ["item.hotel_stay.check_out", "item.hotel_stay.star_rating"] },
    { req: { ...good, item: hotelItem({ checkIn: [2026, 2, 30] }) }, fields: ["item.hotel_stay.check_in"] },
    { req: { ...good, item: hotelItem({ checkIn: [2026, 1, 1], checkOut: [2027, 6, 1] }) }, fields: ["item.hotel_stay.check_out"] },
    { req: { ...good, item: { sellerId: "skylark", kind: { case: "flightTrip", value: { outboundFlightId: "" } } } }, fields: ["item.flight_trip.outbound_flight_id"] },
  ];
  const counts = await f.counts();
  const calls = f.wallet.calls.length;
  for (const { req, fields } of bad) {
    const viaKit = await failure(f.client.createReservation(f.serviceCtx(), req));
    assert.is(viaKit.code, Code.InvalidArgument, JSON.stringify(fields));
    assert.equal(viaKit.violations.map((v) => v.field).sort(), [...fields].sort());
    const direct = await failure(f.service.createReservation(f.serviceCtx(), create(CreateReservationRequestSchema, req)));
    assert.is(direct.code, Code.InvalidArgument);
    assert.equal(direct.violations.map((v) => v.field).sort(), [...fields].sort());
  }
  assert.equal(await f.counts(), counts, "no row, no night, no event");
  assert.is(f.wallet.calls.length, calls, "the wallet was never called");
});

test("the wallet no longer covers the markdown: the reservation is FAILED, ReservationFailed published, nothing held or taken", async () => {
  f.wallet.setBalance("emil", 1_000n);
  const req = createRequest({ customerId: "emil", amountMinor: 20_000n, markdownMinor: 3_000n, item: hotelItem({ roomId: "r-refused" }) });
  const { reservation: r } = await f.client.createReservation(f.serviceCtx(), req);
  assert.is(r!.state, ReservationState.FAILED);
  assert.is(r!.failureReason, WALLET_REFUSED_REASON);
  assert.equal([r!.refunded!.amountMinor, r!.refunded!.currency], [20_000n, "EUR"], "the whole card amount goes back");
  assert.is(f.wallet.balance("emil"), 1_000n);
  assert.equal(f.wallet.effects().filter((k) => k.endsWith(r!.reservationId)), []);
  const events = await f.events(r!.reservationId);
  assert.equal(events.map((e) => e.kind), ["failed"]);
  assert.is(events[0]!.reservation.refunded!.amountMinor, 20_000n);
  assert.is(await f.db.knex("availability").where({ room_id: "r-refused" }).first(), undefined);
  // a retry answers the FAILED reservation, even once the balance would cover it
  f.wallet.setBalance("emil", 100_000n);
  const { reservation: again } = await f.client.createReservation(f.serviceCtx(), req);
  assert.is(again!.state, ReservationState.FAILED);
  assert.equal(f.wallet.effects().filter((k) => k.endsWith(r!.reservationId)), []);
});

test("the wallet down: UNAVAILABLE and nothing written; the retry once it is back makes the reservation", async () => {
  f.wallet.setBalance("fred", 5_000n);
  const req = createRequest({ customerId: "fred", markdownMinor: 500n });
  const counts = await f.counts();
  f.wallet.failure = unavailable("wallet is down");
  try {
    const e = await failure(f.client.createReservation(f.serviceCtx(), req));
    assert.is(e.code, Code.Unavailable);
  } finally {
    f.wallet.failure = undefined;
  }
  assert.equal(await f.counts(), counts);
  const { reservation: r } = await f.client.createReservation(f.serviceCtx(), req);
  assert.is(r!.state, ReservationState.PAID);
});

test("a crash after the hold and before the insert: the retry holds under the same key and keeps the one hold", async () => {
  f.wallet.setBalance("gina", 5_000n);
  const req = createRequest({ customerId: "gina", markdownMinor: 2_000n });
  const id = reservationIdOf(req.paymentId);
  // the first attempt's hold, whose reservation never committed
  const first = await f.wallet.client.hold(f.serviceCtx("booking"), { idempotencyKey: `hold:${id}`, customerId: "gina", amount: eur(2_000n), reference: id });
  const { reservation: r } = await f.client.createReservation(f.serviceCtx(), req);
  assert.is(r!.state, ReservationState.PAID);
  assert.equal(f.wallet.holds().filter((h) => h.customerId === "gina").map((h) => h.holdId), [first.hold!.holdId]);
  assert.is((await f.store.byId(id))!.holdId, first.hold!.holdId);
  assert.is(f.wallet.balance("gina"), 3_000n);
});

test("no markdown: the wallet is not called; a flight counts no room-nights", async () => {
  const calls = f.wallet.calls.length;
  const nights = (await f.counts()).availability;
  const { reservation: r } = await f.client.createReservation(f.serviceCtx(), createRequest({ item: flightItem(), markdownMinor: 0n }));
  assert.is(r!.state, ReservationState.PAID);
  assert.is(r!.markdown!.amountMinor, 0n);
  assert.is(f.wallet.calls.length, calls);
  assert.is((await f.counts()).availability, nights);
  const noMarkdownField = createRequest();
  const { reservation: r2 } = await f.client.createReservation(f.serviceCtx(), { ...noMarkdownField, markdown: undefined });
  assert.equal([r2!.markdown!.amountMinor, r2!.markdown!.currency], [0n, "EUR"]);
});

test("a customer cannot create reservations: only services may (PermissionDenied), and without a principal Unauthenticated", async () => {
  const e = await failure(f.client.createReservation(f.customer("alice"), createRequest()));
  assert.is(e.code, Code.PermissionDenied);
  const anonymous = await failure(f.client.createReservation(backgroundContext({ log }), createRequest()));
  assert.is(anonymous.code, Code.Unauthenticated);
});

test.run();
