// Booking and trips through the real BFF server, signed in with cookies as a
// browser is: StartBooking takes search's signed quotes, refuses a changed,
// expired or someone else's one, pays with the CUSTOMER's token (payment runs behind a real server
// that verifies it) and the customer-scoped key; a retry answers the same
// payment. A trip is one customer's only (another's is NOT_FOUND); WatchTrip
// streams PAYING → PAID → CONFIRMED and ends; cancellation and the wallet.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { pageTokens } from "../../endpoints/page-tokens.js";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { testQuote } from "../../platform/quotes.testing.js";
import { Browser } from "../../transport/browser.fixture.js";
import { addPayment, addReservation, CHECK_IN, CHECK_OUT } from "./fakes.fixture.js";
import { signedUpBrowser, startWebHarness, TEST_PAGE_TOKEN_SECRET, type WebHarness } from "./harness.fixture.js";
import { tripsCursor } from "./trips-cursor.js";

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

const day = (d: { year: number; month: number; day: number }) => ({ year: d.year, month: d.month, day: d.day });
const stayItem = {
  sellerId: "casa",
  title: "Hotel Aurora, Lisbon — Double room, 3 nights",
  kind: { case: "hotelStay" as const, value: { hotelId: "h-aurora", roomId: "DBL", checkIn: day(CHECK_IN), checkOut: day(CHECK_OUT), starRating: 4 } },
};
const leg = (id: string, origin: string, destination: string) => ({
  sellerId: "skylark",
  title: `${id} ${origin} → ${destination}`,
  kind: { case: "flightTrip" as const, value: { outboundFlightId: id, origin, destination } },
});
/** The quote search would have answered `customerId` for the room: EUR 400.00 listed, EUR 100.00 off. */
const roomQuote = (customerId: string) => testQuote(customerId, stayItem, 30_000n, 10_000n);
const eur = (amountMinor: number) => ({ amountMinor: String(amountMinor), currency: "EUR" });
const calls = (method: string) => h.world.calls.filter((c) => c.method === method);
type PaymentRequest = { idempotencyKey: string; quotes: string[]; flexible: boolean; returnUrl: string };

test("StartBooking refuses an expired, another customer's or a garbled quote itself, and a changed one through payment: nothing paid", async () => {
  const b = await signedIn("ada");
  const before = calls("payment.MakePayment").length;
  const payments = h.world.payments.size;
  const refuse = async (quotes: string[], message: RegExp) => {
    const res = await b.call("StartBooking", { idempotencyKey: "click-1", quotes });
    assert.is(res.status, 400);
    assert.is(res.body.code, "failed_precondition");
    assert.match(res.body.message, message);
  };
  // What the BFF can read: refused before payment is called.
  await refuse([testQuote("cus_ada", stayItem, 30_000n, 0n, { issued: new Date(Date.now() - 16 * 60_000) })], /This price quote has expired: search again/);
  await refuse([roomQuote("cus_grace")], /quoted for another customer/);
  await refuse([roomQuote("")], /quoted for another customer \(or before you signed in\)/);
  await refuse(["not a quote"], /The price has changed or this quote is not one Itinera issued: search again/);
  assert.is(calls("payment.MakePayment").length, before);
  // A changed amount under search's MAC: the BFF holds no secret, payment refuses it and the BFF says so.
  const [body, mac] = roomQuote("cus_ada").split(".") as [string, string];
  const cheaper = testQuote("cus_ada", stayItem, 1n, 0n).split(".")[0]!;
  await refuse([`${cheaper}.${mac}`], /The price has changed or this quote is not one Itinera issued: search again/);
  await refuse([`${body}.${mac.slice(2)}`], /The price has changed/);
  assert.is(h.world.payments.size, payments, "no payment recorded");
});

test("StartBooking pays what the quote says with the customer's token and the return URL; the flexible option at its price", async () => {
  const b = await signedIn("grace");
  const res = await b.call("StartBooking", { idempotencyKey: "click-1", quotes: [roomQuote("cus_grace")] });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.paymentId, /^pay_/);
  assert.is(res.body.redirectUrl, `http://gateway.test/pay/gs_${res.body.paymentId}`);
  const pay = calls("payment.MakePayment").at(-1)!;
  assert.is(pay.principal?.kind, "customer", "payment saw the customer's verified token");
  assert.is(pay.principal?.id, "cus_grace");
  const req = pay.request as PaymentRequest;
  assert.equal(req.quotes, [roomQuote("cus_grace")], "the quote is passed on as is: payment checks it again");
  assert.is(req.flexible, false);
  assert.is(req.returnUrl, "http://shop.example.test/trips/return");
  assert.match(req.idempotencyKey, /^web:[A-Za-z0-9_-]{43}$/);
  const paid = h.world.payments.get(res.body.paymentId)!;
  assert.equal([paid.amount!.amountMinor, paid.markdown!.amountMinor, paid.item!.premium], [30_000n, 10_000n, false]);
  // The same click again: the same payment.
  const again = await b.call("StartBooking", { idempotencyKey: "click-1", quotes: [roomQuote("cus_grace")] });
  assert.is(again.body.paymentId, res.body.paymentId);
  // The flexible option: EUR 40.00 more (a tenth of the listed EUR 400.00), and a premium item.
  const flexible = await b.call("StartBooking", { idempotencyKey: "click-2", quotes: [roomQuote("cus_grace")], flexible: true });
  const premium = h.world.payments.get(flexible.body.paymentId)!;
  assert.equal([premium.amount!.amountMinor, premium.item!.premium], [34_000n, true]);
  // The same key from another customer is another payment.
  const other = await (await signedIn("hopper")).call("StartBooking", { idempotencyKey: "click-1", quotes: [roomQuote("cus_hopper")] });
  assert.is.not(other.body.paymentId, res.body.paymentId);
  assert.is.not((calls("payment.MakePayment").at(-1)!.request as PaymentRequest).idempotencyKey, req.idempotencyKey);
});

test("StartBooking for a return flight: both legs' quotes, the wallet taken off once", async () => {
  const b = await signedIn("barbara");
  // The legs are 200.00 and 150.00 listed, each quoted with a EUR 100.00 balance: the trip is 350.00 − 100.00.
  const out = testQuote("cus_barbara", leg("SL100-2030-06-10", "LIS", "MAD"), 10_000n, 10_000n);
  const back = testQuote("cus_barbara", leg("SL101-2030-06-13", "MAD", "LIS"), 7_500n, 7_500n, { walletMinor: 10_000n });
  const res = await b.call("StartBooking", { idempotencyKey: "f-1", quotes: [out, back] });
  assert.is(res.status, 200, JSON.stringify(res.body));
  const paid = h.world.payments.get(res.body.paymentId)!;
  assert.equal([paid.amount!.amountMinor, paid.markdown!.amountMinor, paid.item!.sellerId], [25_000n, 10_000n, "skylark"]);
  assert.is(paid.item!.title, "SL100-2030-06-10 LIS → MAD; return SL101-2030-06-13 MAD → LIS");
  const alone = await b.call("StartBooking", { idempotencyKey: "f-2", quotes: [out, out] });
  assert.match(alone.body.message, /These quotes are not one trip/);
});

test("StartBooking: bad input names the fields (a price or an item of the page's own is refused); a visitor is UNAUTHENTICATED", async () => {
  const b = await signedIn("edsger");
  const res = await b.call("StartBooking", {
    idempotencyKey: "",
    item: { sellerId: "casa", premium: true, hotelStay: { hotelId: "h-aurora", roomId: "DBL" } },
    shownPrice: { amountMinor: "1", currency: "EUR" },
  });
  assert.is(res.status, 400);
  for (const field of ["idempotency_key", "item", "shown_price", "quotes"]) assert.match(res.body.message, new RegExp(`${field}:`));
  const three = await b.call("StartBooking", { idempotencyKey: "k", quotes: ["a", "b", "c"] });
  assert.match(three.body.message, /quotes: must have at most 2 quotes/);
  const visitor = new Browser(h.url);
  await visitor.call("GetSession");
  const anonymous = await visitor.call("StartBooking", { idempotencyKey: "k", quotes: [roomQuote("cus_edsger")] });
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

test("ListTrips: reservations and the payments that never became one (declined, pending, expired), newest first, each on exactly one page", async () => {
  const b = await signedIn("nina");
  const at = (minute: number) => ({ createTime: timestampFromDate(new Date(Date.UTC(2030, 0, 1, 12, minute))) });
  const id = (c: string) => `pay_${c.repeat(32)}`;
  const reserved = (c: string, minute: number) => {
    addPayment(h.world, id(c), "cus_nina", PaymentState.AUTHORISED, at(minute - 1));
    return addReservation(h.world, id(c), ReservationState.CONFIRMED, at(minute));
  };
  const r1 = reserved("1", 1);
  addPayment(h.world, id("2"), "cus_nina", PaymentState.DECLINED, { ...at(2), declineReason: "The card was declined by its issuer." });
  const r3 = reserved("3", 3);
  addPayment(h.world, id("4"), "cus_nina", PaymentState.PENDING, at(4));
  addPayment(h.world, id("5"), "cus_nina", PaymentState.EXPIRED, at(5));
  const r6 = reserved("6", 6);
  addPayment(h.world, id("7"), "cus_other", PaymentState.DECLINED, at(7));

  const everything = [r6, id("5"), id("4"), r3, id("2"), r1];
  const key = (t: { reservationId?: string; paymentId: string }) => t.reservationId || t.paymentId;
  for (const pageSize of [1, 2, 4, 6, 50]) {
    const seen: string[] = [];
    let pageToken = "";
    for (let page = 0; page < 10; page++) {
      const res = await b.call("ListTrips", { pageSize, pageToken });
      assert.is(res.status, 200, JSON.stringify(res.body));
      const trips = res.body.trips ?? [];
      assert.ok(trips.length <= pageSize);
      seen.push(...trips.map(key));
      pageToken = res.body.nextPageToken ?? "";
      if (pageToken === "") break;
    }
    assert.equal(seen, everything, `pages of ${pageSize}`);
  }
  const all = (await b.call("ListTrips", { pageSize: 10 })).body.trips;
  assert.equal(
    all.map((t: { state: string }) => t.state),
    ["TRIP_STATE_CONFIRMED", "TRIP_STATE_EXPIRED", "TRIP_STATE_PAYING", "TRIP_STATE_CONFIRMED", "TRIP_STATE_DECLINED", "TRIP_STATE_CONFIRMED"],
  );
  assert.is(all[4].reason, "The card was declined by its issuer.");
  assert.equal(all[4].amount, eur(40_000));
  assert.equal((calls("payment.ListPayments").at(-1)!.request as { states: number[] }).states, [1, 3, 4], "only the payments no reservation is made from");
  assert.is(calls("payment.ListPayments").at(-1)!.principal?.id, "cus_nina", "with the customer's own token");
});

test("ListTrips refuses a page token it did not write or wrote for another customer, naming the field, asking no source", async () => {
  const otto = await signedIn("otto");
  const paula = await signedIn("paula");
  for (const c of ["8", "9"]) addPayment(h.world, `pay_${c.repeat(32)}`, "cus_otto", PaymentState.DECLINED);
  const first = await otto.call("ListTrips", { pageSize: 1 });
  const ottos: string = first.body.nextPageToken;
  assert.ok(ottos, "otto has a second page");
  const [payload, mac] = ottos.split(".") as [string, string];
  const cursor = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  const signedWith = (secret: string, list = "ListTrips") => pageTokens({ secret, list, codec: tripsCursor, scopeIs: "customer" });
  const forged = [
    "not a token",
    Buffer.from(JSON.stringify(cursor)).toString("base64url"), // the cursor, unsigned (the old, unsigned form)
    `${Buffer.from(JSON.stringify([cursor[0], "at-0"])).toString("base64url")}.${mac}`, // the cursor edited, the signature kept
    `${payload}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`, // the signature edited
    signedWith("another-secret").encode(["cus_otto"], { reservations: undefined, payments: "at-0" }), // signed with another key
    signedWith(TEST_PAGE_TOKEN_SECRET, "ListPayments").encode(["cus_otto"], { reservations: undefined, payments: "at-0" }), // another list's
  ];
  const asked = () => calls("payment.ListPayments").length + calls("booking.ListReservations").length;
  const before = asked();
  const refuse = async (b: Browser, pageToken: string) => {
    const res = await b.call("ListTrips", { pageToken });
    assert.is(res.status, 400, pageToken);
    assert.is(res.body.code, "invalid_argument");
    assert.match(res.body.message, /page_token: is not a page token from a previous response for the same customer/);
  };
  for (const pageToken of forged) await refuse(otto, pageToken);
  await refuse(paula, ottos); // another customer's token
  assert.is(asked(), before, "no source is asked on a refused token");
  // The token itself still pages otto on.
  const second = await otto.call("ListTrips", { pageSize: 1, pageToken: ottos });
  assert.is(second.status, 200, JSON.stringify(second.body));
  assert.is(second.body.trips.length, 1);
  assert.is.not(second.body.trips[0].paymentId, first.body.trips[0].paymentId);
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
