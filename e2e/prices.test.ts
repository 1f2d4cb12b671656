// Prices are ours, over the real processes (make start's supervisor): a
// customer who changes the amount of search's quote, forges one, pays with an
// expired one or with another customer's — straight at payment's port or
// through the BFF's StartBooking (which refuses what it can read, and passes
// payment's refusal of a forged MAC on) — is refused with FAILED_PRECONDITION, and
// the gateway's ledger shows no session and booking no reservation. The
// flexible option is a priced choice: charged at the price search quoted,
// it then cancels free; without it, the fixed fee applies as before.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../endpoints/errors.js";
import { kitRejection } from "../endpoints/testing.js";
import { ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { QuoteSchema, type Quote } from "../gen/itinera/type/v1/quote_pb.js";
import { QUOTE_TTL_MS, quoteSigner } from "../platform/quotes.js";
import { testQuote } from "../platform/quotes.testing.js";
import { until } from "../platform/processes.testing.js";
import { Browser } from "../transport/browser.fixture.js";
import { CARDS, FINAL_STATES, startMarketplace, type Customer, type Marketplace, type Offer } from "./marketplace.fixture.js";

let m: Marketplace;
let alice: Customer;
let bob: Customer;
let offers: Offer[];
let web: Browser;

test.before(async () => {
  m = await startMarketplace();
  alice = await m.signUp("alice");
  bob = await m.signUp("bob");
  await m.credit(alice.customerId, 3000n);
  // Search's own quotes, for alice, with her wallet's markdown.
  offers = await m.findStays(alice, 6);
  web = new Browser(m.webUrl);
  await web.call("GetSession");
  const signedIn = await web.call("SignIn", { email: alice.email, password: "correct horse battery" });
  assert.is(signedIn.status, 200, JSON.stringify(signedIn.body));
});

test.after(async () => {
  await m?.close();
});

const open = (token: string): Quote => fromBinary(QuoteSchema, Buffer.from(token.split(".")[0]!, "base64url"));
const body = (q: Quote) => Buffer.from(toBinary(QuoteSchema, q)).toString("base64url");

/** The ways a caller tries to pay a price of their own with alice's quote of `offer`. */
function attacks(offer: Offer): [string, string][] {
  const token = offer.quote!;
  const signature = token.split(".")[1]!;
  const cheap = open(token);
  cheap.listed!.amountMinor = 1n;
  cheap.markdown!.amountMinor = 0n;
  const premium = open(token);
  premium.item!.premium = true;
  const issued = new Date(Date.now() - QUOTE_TTL_MS - 60_000);
  return [
    ["a one-cent amount under search's signature", `${body(cheap)}.${signature}`],
    ["a free flexible option under search's signature", `${body(premium)}.${signature}`],
    ["a quote signed with another secret", quoteSigner("not-itinera-s-quote-secret")(open(token))],
    ["an expired quote", testQuote(alice.customerId, offer.item, offer.priceMinor, offer.markdownMinor, { issued })],
  ];
}

/** Nothing happened for these customers: no gateway session, no reservation. */
async function nothingCharged(ledgerBefore: number, customers: Customer[]) {
  assert.is((await m.ledger()).length, ledgerBefore, "the gateway opened no session");
  for (const c of customers) {
    const list = await m.clients.booking.listReservations(m.ctx(c.principal), { pageSize: 100 });
    assert.is(list.reservations.length, 0, `${c.customerId} has no reservation`);
  }
}

test("MakePayment on payment's own port: a changed, forged, expired or another customer's quote is FAILED_PRECONDITION, nothing charged", async () => {
  const offer = offers[0]!;
  assert.ok(offer.quote, "search quoted alice's price");
  const before = (await m.ledger()).length;
  const pay = (customer: Customer, quotes: string[], extra: object = {}) =>
    m.clients.payment.makePayment(m.ctx(customer.principal), {
      idempotencyKey: `attack-${Math.random()}`,
      quotes,
      returnUrl: `${m.webUrl}/trips/return`,
      ...extra,
    });
  for (const [what, quote] of attacks(offer)) {
    const e = await kitRejection(pay(alice, [quote]));
    assert.is(e.code, Code.FailedPrecondition, what);
    assert.match(e.message, /search again/, what);
  }
  const stolen = await kitRejection(pay(bob, [offer.quote!]));
  assert.equal([stolen.code, stolen.message.includes("quoted for another customer")], [Code.FailedPrecondition, true]);
  // The old way — the caller's amount — and a foreign return URL are refused outright.
  const own = await kitRejection(pay(alice, [offer.quote!], { item: offer.item, amount: { amountMinor: 1n, currency: "EUR" } }));
  assert.equal([own.code, own.violations.map((v) => v.field)], [Code.InvalidArgument, ["item", "amount"]]);
  const away = await kitRejection(pay(alice, [offer.quote!], { returnUrl: "https://attacker.example/steal" }));
  assert.equal([away.code, away.violations.map((v) => v.field)], [Code.InvalidArgument, ["return_url"]]);
  await nothingCharged(before, [alice, bob]);
});

test("StartBooking through the BFF: the same quotes are refused in the customer's words, nothing charged", async () => {
  const offer = offers[1]!;
  const before = (await m.ledger()).length;
  const bobs = (await m.findStays(bob, 1))[0]!;
  for (const [what, quote] of [...attacks(offer), ["bob's quote", bobs.quote!] as [string, string]]) {
    const res = await web.call("StartBooking", { idempotencyKey: `click-${Math.random()}`, quotes: [quote] });
    assert.is(res.status, 400, what);
    assert.is(res.body.code, "failed_precondition", what);
    assert.match(res.body.message, /search again/, what);
  }
  const priced = await web.call("StartBooking", {
    idempotencyKey: "own-price",
    item: { ...offer.item, premium: true },
    shownPrice: { amountMinor: "1", currency: "EUR" },
    quotes: [offer.quote],
  });
  assert.equal([priced.status, priced.body.code], [400, "invalid_argument"]);
  await nothingCharged(before, [alice, bob]);
});

/** The room of `offer` as the hotel page shows it to the signed-in customer (GetHotel through the BFF). */
async function hotelPage(offer: Offer) {
  const stay = offer.item.kind.case === "hotelStay" ? offer.item.kind.value : undefined;
  assert.ok(stay);
  const date = (d: typeof stay.checkIn) => ({ year: d!.year, month: d!.month, day: d!.day });
  const res = await web.call("GetHotel", { hotelId: stay.hotelId, checkIn: date(stay.checkIn), checkOut: date(stay.checkOut) });
  assert.is(res.status, 200, JSON.stringify(res.body));
  const room = res.body.hotel.rooms.find((r: { roomId: string }) => r.roomId === stay.roomId);
  return { price: room.price, stars: res.body.hotel.starRating as number };
}

async function cancelled(customer: Customer, paymentId: string) {
  const r = await m.reservationOf(customer, paymentId, (x) => FINAL_STATES.includes(x.state), 90_000);
  assert.is(r.state, ReservationState.CONFIRMED, r.failureReason);
  const { reservation } = await m.clients.booking.cancelReservation(m.ctx(customer.principal), { reservationId: r.reservationId });
  const refunded = await until("the refund at the gateway", async () => {
    const row = (await m.ledger()).find((x) => x.merchant_ref === paymentId);
    return row && row.refunds > 0 ? row : undefined;
  });
  return { reserved: r, reservation: reservation!, refunded };
}

test("the flexible option is charged at its quoted price through StartBooking and then cancels free", async () => {
  const { price } = await hotelPage(offers[2]!);
  const flexibleMinor = BigInt(price.flexible.amountMinor);
  const card = BigInt(price.price.amountMinor) + flexibleMinor;
  assert.ok(flexibleMinor > 0n && price.quote !== "", "the page shows the flexible option at a price, with the quote to book it");
  const started = await web.call("StartBooking", { idempotencyKey: "flexible-1", quotes: [price.quote], flexible: true });
  assert.is(started.status, 200, JSON.stringify(started.body));
  assert.match(await m.payAtGateway(started.body.redirectUrl, CARDS.authorises), "status=authorised");
  const { reserved, reservation, refunded } = await cancelled(alice, started.body.paymentId);
  assert.is(reserved.amount!.amountMinor, card, "the card paid the price and the flexible option");
  assert.is(reserved.item!.premium, true);
  assert.is(reservation.cancellationFee?.amountMinor ?? 0n, 0n, "free cancellation");
  assert.is(BigInt(refunded.refunded_minor), card, "the whole card amount, flexible option included, went back");
});

test("without the flexible option the booking costs the price and pays the fee on cancel", async () => {
  // A fresh quote (the wallet changed with the bookings above), of a room below five stars (those are non-refundable).
  const fresh = await m.findStays(alice, 6);
  const offer = fresh.find((o) => o.item.kind.case === "hotelStay" && o.item.kind.value.starRating < 5 && o.priceMinor > 2500n);
  assert.ok(offer, "a room below five stars to book");
  const { paymentId, returnedTo } = await m.pay(alice, offer, CARDS.authorises);
  assert.match(returnedTo, `${m.webUrl}/trips/return`);
  const { reserved, reservation, refunded } = await cancelled(alice, paymentId);
  assert.is(reserved.amount!.amountMinor, offer.priceMinor);
  assert.is(reserved.item!.premium, false);
  assert.is(reservation.cancellationFee!.amountMinor, 2500n);
  assert.is(BigInt(refunded.refunded_minor), offer.priceMinor - 2500n);
});

test.run();
