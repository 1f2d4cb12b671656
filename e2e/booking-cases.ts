// The booking saga end to end over the real processes (scripts/system.ts), one
// list of cases for both bus engines (booking.test.ts: PostgreSQL,
// booking-nats.test.ts: NATS JetStream): sign up, pay at the gateway's card
// page, and the reservation reaches CONFIRMED with one invoice in the SMTP
// sink; a declined card reserves nothing; a seller's refusal ends FAILED with
// the card refunded, the wallet hold released and one apology; nobody reads
// or cancels another customer's reservation, nor calls without a valid
// token; and a run of bookings, some refused by their sellers, passes the
// crash test's ledger checks (saga.fixture.ts).
import { importPKCS8, SignJWT } from "jose";
import pg from "pg";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../endpoints/errors.js";
import { kitRejection } from "../endpoints/testing.js";
import { ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../gen/itinera/payment/v1/payment_pb.js";
import { until } from "../platform/processes.testing.js";
import { CARDS, FINAL_STATES, startMarketplace, type Customer, type Marketplace, type MarketplaceOptions, type Offer } from "./marketplace.fixture.js";
import { assertSagaLedger, prepareSaga, sagaLedger, submitBookings } from "./saga.fixture.js";

/** Saga bookings of the ledger case: enough for the sellers to refuse some (saga.fixture.ts prepareSaga). */
const SAGA_BOOKINGS = 20;

/** The cases on a marketplace started with `opts` (its bus engine). */
export function bookingCases(opts: MarketplaceOptions = {}) {
  const test = suite(`booking saga on ${opts.bus ?? "postgres"}`);
  let m: Marketplace;
  let offers: Offer[];
  let alice: Customer;
  let bob: Customer;

  test.before(async () => {
    m = await startMarketplace({}, opts);
    alice = await m.signUp("alice");
    bob = await m.signUp("bob");
    await m.credit(alice.customerId, 3000n);
    offers = await m.findStays(alice, 6);
  });

  test.after(async () => {
    await m?.close();
  });

  const codeOf = async (p: Promise<unknown>) => (await kitRejection(p)).code;
  /** The offer with part of its price paid from the wallet (quoted anew by the fixture). */
  const withMarkdown = (offer: Offer, markdownMinor: bigint): Offer => ({ ...offer, quote: undefined, markdownMinor, priceMinor: offer.listedMinor - markdownMinor });
  const messagesAbout = async (reservationId: string) => (await m.inbox()).filter((x) => x.text.includes(reservationId));

  test("the authorising card: PAID becomes CONFIRMED and exactly one invoice arrives", async () => {
    const offer = withMarkdown(offers[0]!, 1000n);
    const { paymentId, returnedTo } = await m.pay(alice, offer, CARDS.authorises);
    assert.match(returnedTo, `payment_id=${paymentId}`);
    assert.match(returnedTo, "status=authorised");

    const r = await m.reservationOf(alice, paymentId, (x) => FINAL_STATES.includes(x.state));
    assert.is(r.state, ReservationState.CONFIRMED, r.failureReason);
    assert.ok(r.sellerReference !== "", "the seller's booking reference is kept");
    assert.is(r.amount?.amountMinor, offer.priceMinor);

    const mails = await until("the invoice", async () => {
      const found = await messagesAbout(r.reservationId);
      return found.length > 0 ? found : undefined;
    });
    // The e-mail is sent once: once every consumer has handled every event (the mailer's included), count again.
    await m.busSettled();
    assert.is((await messagesAbout(r.reservationId)).length, 1);
    assert.equal(mails[0]!.to, [alice.email]);
    assert.match(mails[0]!.subject, "Your booking is confirmed");

    // The wallet markdown was held then captured: nothing stays held.
    const balance = await m.clients.wallet.getBalance(m.ctx(await m.service("operator")), { customerId: alice.customerId, currency: "EUR" });
    assert.is(balance.balance?.held?.amountMinor ?? 0n, 0n);
    assert.is(balance.balance?.available?.amountMinor, 3000n - offer.markdownMinor);
  });

  test("the declining card: a clear reason and no reservation", async () => {
    const { paymentId, returnedTo } = await m.pay(bob, withMarkdown(offers[1]!, 0n), CARDS.declines);
    assert.match(returnedTo, "status=declined");
    const payment = await until("the declined payment", async () => {
      const p = (await m.clients.payment.getPayment(m.ctx(bob.principal), { paymentId })).payment!;
      return p.state === PaymentState.DECLINED ? p : undefined;
    });
    assert.match(payment.declineReason, "declined");
    // The decline was published with the payment's state; once payment's reservation consumer (and every other)
    // has handled it, a reservation made from it would exist.
    await m.busSettled();
    const list = await m.clients.booking.listReservations(m.ctx(bob.principal), {});
    assert.is(list.reservations.filter((r) => r.paymentId === paymentId).length, 0);
  });

  test("a seller's refusal: FAILED, the card refunded, the wallet hold released, one apology", async () => {
    const offer = withMarkdown(offers[2]!, 1000n);
    const seller = offer.item.sellerId as "casa" | "skylark" | "wanderly";
    await m.sellerAdmin(seller, "/admin/bookings", { refuse: "all" });
    try {
      const { paymentId } = await m.pay(alice, offer, CARDS.authorises);
      const r = await m.reservationOf(alice, paymentId, (x) => FINAL_STATES.includes(x.state));
      assert.is(r.state, ReservationState.FAILED);
      assert.match(r.failureReason, "could not");

      const payment = await until("the refund", async () => {
        const p = (await m.clients.payment.getPayment(m.ctx(alice.principal), { paymentId })).payment!;
        return p.refunded?.amountMinor === offer.priceMinor ? p : undefined;
      });
      assert.is(payment.refunded?.amountMinor, offer.priceMinor);
      const row = (await m.ledger()).find((x) => x.merchant_ref === paymentId)!;
      assert.equal([row.charges, row.refunded_minor, row.refunds], [1, Number(offer.priceMinor), 1]);

      await until("the hold released", async () => {
        const b = await m.clients.wallet.getBalance(m.ctx(await m.service("operator")), { customerId: alice.customerId, currency: "EUR" });
        return (b.balance?.held?.amountMinor ?? 0n) === 0n ? true : undefined;
      });
      const mails = await until("the apology", async () => {
        const found = await messagesAbout(r.reservationId);
        return found.length > 0 ? found : undefined;
      });
      await m.busSettled();
      assert.is((await messagesAbout(r.reservationId)).length, 1);
      assert.match(mails[0]!.text, "refund");
    } finally {
      await m.sellerAdmin(seller, "/admin/bookings", { refuse: "none" });
    }
  });

  test("customer B cannot see or cancel customer A's reservation through any RPC", async () => {
    const mine = await m.clients.booking.listReservations(m.ctx(alice.principal), {});
    const theirs = mine.reservations[0]!;
    assert.ok(theirs, "alice has reservations from the tests above");
    const asBob = m.ctx(bob.principal);
    assert.is(await codeOf(m.clients.booking.getReservation(asBob, { reservationId: theirs.reservationId })), Code.NotFound);
    assert.is(await codeOf(m.clients.booking.quoteCancellation(asBob, { reservationId: theirs.reservationId })), Code.NotFound);
    assert.is(await codeOf(m.clients.booking.cancelReservation(asBob, { reservationId: theirs.reservationId })), Code.NotFound);
    assert.is(await codeOf(m.clients.payment.getPayment(asBob, { paymentId: theirs.paymentId })), Code.NotFound);
    const bobs = await m.clients.booking.listReservations(asBob, {});
    assert.not.ok(bobs.reservations.some((r) => r.customerId === alice.customerId));
    // And an unknown id answers exactly the same: ids leak nothing.
    const unknown = await codeOf(m.clients.booking.getReservation(asBob, { reservationId: "res_doesnotexist" }));
    assert.is(unknown, Code.NotFound);
    // Alice's reservation is untouched.
    const again = await m.clients.booking.getReservation(m.ctx(alice.principal), { reservationId: theirs.reservationId });
    assert.is(again.reservation?.state, theirs.state);
  });

  test("no token, a bad signature, an expired token → Unauthenticated", async () => {
    const asNobody = m.ctx();
    assert.is(await codeOf(m.clients.booking.listReservations(asNobody, {})), Code.Unauthenticated);
    assert.is(await codeOf(m.clients.payment.makePayment(asNobody, {})), Code.Unauthenticated);

    const token = alice.principal.token!;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const tampered = `${header}.${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    const withToken = (t: string) => m.ctx({ ...alice.principal, token: t });
    assert.is(await codeOf(m.clients.booking.listReservations(withToken(tampered), {})), Code.Unauthenticated);

    // An expired token signed with identity's own key (read from its table, as only a test may).
    const db = new pg.Client({ connectionString: m.databaseUrl });
    await db.connect();
    try {
      const key = (await db.query("select kid, private_pem from identity.signing_keys order by create_time desc limit 1")).rows[0] as { kid: string; private_pem: string };
      const past = Math.floor(Date.now() / 1000) - 3600;
      const expired = await new SignJWT({ roles: [], kind: "customer" })
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
        .setSubject(alice.customerId)
        .setIssuer("itinera-identity")
        .setAudience("itinera")
        .setIssuedAt(past - 900)
        .setExpirationTime(past)
        .sign(await importPKCS8(key.private_pem, "EdDSA"));
      assert.is(await codeOf(m.clients.booking.listReservations(withToken(expired), {})), Code.Unauthenticated);
    } finally {
      await db.end();
    }
  });

  test(`${SAGA_BOOKINGS} bookings, some refused by their sellers: every one CONFIRMED or FAILED and refunded, nothing doubled, one e-mail each`, async () => {
    const run = await prepareSaga(m, { bookings: SAGA_BOOKINGS, customers: 4 });
    try {
      const paid = await submitBookings(run, { inFlight: 4, onBegin: () => {} });
      const ledger = await sagaLedger(run, paid);
      const events = await m.busPublished();
      console.log(`booking saga on ${m.bus}: ${JSON.stringify({ ...ledger, events })}`);
      assertSagaLedger(run, ledger);
      assert.ok(events >= SAGA_BOOKINGS, `the saga's events went through the ${m.bus} bus: ${events} published`);
    } finally {
      for (const seller of ["casa", "skylark", "wanderly"] as const) await m.sellerAdmin(seller, "/admin/bookings", { refuse: "none" });
    }
  });

  return test;
}
