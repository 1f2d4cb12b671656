// Booking and trips through the real BFF server, signed in with cookies as a
// browser is: StartBooking re-prices through search and refuses a changed
// price, pays with the CUSTOMER's token (payment runs behind a real server
// that verifies it) and the customer-scoped key; a retry answers the same
// payment. A trip is one customer's only (another's is NOT_FOUND); WatchTrip
// streams PAYING → PAID → CONFIRMED and ends; cancellation and the wallet.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { Browser } from "../../transport/browser.fixture.js";
import { addPayment, addReservation, CHECK_IN, CHECK_OUT } from "./fakes.fixture.js";
import { signedUpBrowser, startWebHarness, type WebHarness } from "./harness.fixture.js";

let h: WebHarness;
test.before(async () => {
  h = await startWebHarness();
});
test.after(async () => {
  await h?.close();
});

async function signedIn(name: string): Promise<Browser> {
  return (await signedUpBrowser(h, name)).browser;
}

const stay = {
  sellerId: "casa",
  title: "whatever the page said",
  hotelStay: { hotelId: "h-aurora", roomId: "DBL", checkIn: CHECK_IN, checkOut: CHECK_OUT, starRating: 1 },
};
const eur = (amountMinor: number) => ({ amountMinor: String(amountMinor), currency: "EUR" });
const calls = (method: string) => h.world.calls.filter((c) => c.method === method);

test("StartBooking refuses a price that changed since it was shown, and pays nothing", async () => {
  const b = await signedIn("ada");
  const before = calls("payment.MakePayment").length;
  const res = await b.call("StartBooking", { idempotencyKey: "click-1", item: stay, shownPrice: eur(39_000) });
  assert.is(res.status, 400);
  assert.is(res.body.code, "failed_precondition");
  assert.match(res.body.message, /The price has changed since it was shown: it is now EUR 400\.00/);
  assert.is(calls("payment.MakePayment").length, before);
});

test("StartBooking pays the current price with the customer's token, a rebuilt item and the return URL", async () => {
  const b = await signedIn("grace");
  const res = await b.call("StartBooking", { idempotencyKey: "click-1", item: stay, shownPrice: eur(40_000) });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.paymentId, /^pay_/);
  assert.is(res.body.redirectUrl, `http://gateway.test/pay/gs_${res.body.paymentId}`);
  const pay = calls("payment.MakePayment").at(-1)!;
  assert.is(pay.principal?.kind, "customer", "payment saw the customer's verified token");
  assert.is(pay.principal?.id, "cus_grace");
  const req = pay.request as { idempotencyKey: string; amount: { amountMinor: bigint }; markdown: { amountMinor: bigint }; returnUrl: string; item: any };
  assert.is(req.amount.amountMinor, 40_000n);
  assert.is(req.markdown.amountMinor, 10_000n);
  assert.is(req.returnUrl, "http://shop.example.test/trips/return");
  assert.match(req.idempotencyKey, /^web:[A-Za-z0-9_-]{43}$/);
  assert.is(req.item.kind.value.starRating, 4, "the stars come from search, not the page");
  assert.is(req.item.title, "Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.is(req.item.sellerId, "casa");
  // The same click again: the same payment.
  const again = await b.call("StartBooking", { idempotencyKey: "click-1", item: stay, shownPrice: eur(40_000) });
  assert.is(again.body.paymentId, res.body.paymentId);
  // The same key from another customer is another payment.
  const other = await (await signedIn("hopper")).call("StartBooking", { idempotencyKey: "click-1", item: stay, shownPrice: eur(40_000) });
  assert.is.not(other.body.paymentId, res.body.paymentId);
  assert.is.not((calls("payment.MakePayment").at(-1)!.request as { idempotencyKey: string }).idempotencyKey, req.idempotencyKey);
});

test("StartBooking for a return flight: both legs' fares, the wallet taken off once", async () => {
  const b = await signedIn("barbara");
  const trip = { flightTrip: { outboundFlightId: "SL100-2030-06-10", returnFlightId: "SL101-2030-06-13", origin: "LIS", destination: "MAD" } };
  // The legs show 200.00 − 100.00 and 150.00 − 100.00; the trip is 350.00 − 100.00.
  const refused = await b.call("StartBooking", { idempotencyKey: "f-1", item: trip, shownPrice: eur(15_000) });
  assert.match(refused.body.message, /it is now EUR 250\.00/);
  const res = await b.call("StartBooking", { idempotencyKey: "f-1", item: trip, shownPrice: eur(25_000) });
  assert.is(res.status, 200, JSON.stringify(res.body));
  const req = calls("payment.MakePayment").at(-1)!.request as { amount: { amountMinor: bigint }; markdown: { amountMinor: bigint }; item: any };
  assert.is(req.markdown.amountMinor, 10_000n);
  assert.is(req.item.sellerId, "skylark");
  assert.is(req.item.title, "SL100 LIS → MAD, 2030-06-10; return SL101 MAD → LIS, 2030-06-13");
  const search = calls("search.SearchFlights").at(-1)!.request as { query: any };
  assert.equal(search.query.departureDate, { $typeName: "itinera.type.v1.Date", ...CHECK_IN });
  assert.is(search.query.customerId, "cus_barbara");
});

test("StartBooking: bad input names the fields; a visitor is UNAUTHENTICATED", async () => {
  const b = await signedIn("edsger");
  const res = await b.call("StartBooking", { idempotencyKey: "", item: { flightTrip: { outboundFlightId: "SL1" } }, shownPrice: eur(0) });
  assert.is(res.status, 400);
  assert.match(res.body.message, /idempotency_key/);
  assert.match(res.body.message, /item\.flight_trip\.outbound_flight_id/);
  assert.match(res.body.message, /item\.flight_trip\.origin/);
  assert.match(res.body.message, /shown_price\.amount_minor/);
  const visitor = new Browser(h.url);
  await visitor.call("GetSession");
  const anonymous = await visitor.call("StartBooking", { idempotencyKey: "k", item: stay, shownPrice: eur(40_000) });
  assert.is(anonymous.status, 401);
});

test("a trip is its customer's only: another customer's payment or reservation is NOT_FOUND", async () => {
  const a = await signedIn("alan");
  const b = await signedIn("bertha");
  addPayment(h.world, "pay_" + "b".repeat(32), "cus_bertha", PaymentState.AUTHORISED);
  const reservationId = addReservation(h.world, "pay_" + "b".repeat(32), ReservationState.CONFIRMED, { sellerReference: "CASA-1" });
  const mine = await b.call("GetTrip", { paymentId: "pay_" + "b".repeat(32) });
  assert.is(mine.status, 200);
  assert.is(mine.body.trip.state, "TRIP_STATE_CONFIRMED");
  assert.is(mine.body.trip.reservationId, reservationId);
  assert.is(mine.body.trip.sellerReference, "CASA-1");
  for (const req of [{ paymentId: "pay_" + "b".repeat(32) }, { reservationId }]) {
    const theirs = await a.call("GetTrip", req);
    assert.is(theirs.status, 404, JSON.stringify(req));
    assert.is(theirs.body.code, "not_found");
  }
  const watch = await a.stream("WatchTrip", { paymentId: "pay_" + "b".repeat(32) });
  assert.equal(watch.messages, []);
  assert.is(watch.end.error.code, "not_found");
  assert.is((await a.call("CancelTrip", { reservationId })).status, 404);
  assert.equal((await a.call("ListTrips", {})).body.trips ?? [], []);
});

test("WatchTrip streams PAYING → PAID → CONFIRMED, once per change, and ends", async () => {
  const b = await signedIn("katherine");
  const paymentId = "pay_" + "c".repeat(32);
  addPayment(h.world, paymentId, "cus_katherine", PaymentState.PENDING);
  const set = (state: PaymentState) => addPayment(h.world, paymentId, "cus_katherine", state);
  h.world.beforeLook.push(
    () => {}, // PENDING
    () => {}, // still PENDING: nothing sent
    () => {
      set(PaymentState.AUTHORISED);
      addReservation(h.world, paymentId, ReservationState.PAID);
    },
    () => {}, // still PAID
    () => addReservation(h.world, paymentId, ReservationState.CONFIRMED, { sellerReference: "CASA-9" }),
  );
  const { messages, end, answer } = await b.stream("WatchTrip", { paymentId });
  assert.is(answer.status, 200);
  assert.equal(
    messages.map((m) => m.trip.state),
    ["TRIP_STATE_PAYING", "TRIP_STATE_PAID", "TRIP_STATE_CONFIRMED"],
  );
  assert.is(messages[2].trip.sellerReference, "CASA-9");
  assert.is(messages[1].trip.reservationId, `res_${"c".repeat(32)}`);
  assert.equal(end, {}, "ended normally");
  assert.equal(h.world.beforeLook, []);
});

test("a declined payment is a final DECLINED trip with the gateway's reason", async () => {
  const b = await signedIn("ida");
  const paymentId = "pay_" + "d".repeat(32);
  addPayment(h.world, paymentId, "cus_ida", PaymentState.DECLINED, { declineReason: "The card was declined by its issuer." });
  const { messages, end } = await b.stream("WatchTrip", { paymentId });
  assert.is(messages.length, 1);
  assert.is(messages[0].trip.state, "TRIP_STATE_DECLINED");
  assert.is(messages[0].trip.reason, "The card was declined by its issuer.");
  assert.equal(end, {});
});

test("ListTrips, QuoteCancellation and CancelTrip act on the customer's own reservations", async () => {
  const b = await signedIn("margaret");
  const paymentId = "pay_" + "e".repeat(32);
  addPayment(h.world, paymentId, "cus_margaret", PaymentState.AUTHORISED);
  const reservationId = addReservation(h.world, paymentId, ReservationState.PAID);
  const list = await b.call("ListTrips", { pageSize: 10 });
  assert.equal(list.body.trips.map((t: { reservationId: string }) => t.reservationId), [reservationId]);
  const quote = await b.call("QuoteCancellation", { reservationId });
  assert.equal(quote.body.refund, eur(40_000));
  assert.match(quote.body.policy, /Free cancellation/);
  const cancelled = await b.call("CancelTrip", { reservationId });
  assert.is(cancelled.body.trip.state, "TRIP_STATE_CANCELLED");
  assert.equal(cancelled.body.trip.refunded, eur(40_000));
});

test("GetWallet is the signed-in customer's own wallet", async () => {
  const b = await signedIn("frances");
  const res = await b.call("GetWallet", { pageSize: 3 });
  assert.equal(res.body.available, eur(10_000));
  const asked = calls("wallet.ListTransactions").at(-1)!.request as { customerId: string; pageSize: number; currency: string };
  assert.equal([asked.customerId, asked.pageSize, asked.currency], ["cus_frances", 3, "EUR"]);
  const tooMany = await b.call("GetWallet", { pageSize: 500 });
  assert.is(tooMany.body.code, "invalid_argument");
});

test.run();
