// The payment service called directly (through the validation middleware) on
// real PostgreSQL with an in-memory gateway: MakePayment's idempotency and
// its gateway failures, validation that writes nothing, ownership, and the
// refund rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { signedCallback } from "./fake-gateway.fixture.js";
import { CALLBACK_URL, failure, paymentFixture, TEST_GATEWAY_SECRET, type PaymentFixture } from "./fixture.js";
import { CHANGED, EXPIRED, QUOTE_TTL_MS, SOMEONE_ELSES } from "../../platform/quotes.js";
import { testQuote } from "../../platform/quotes.testing.js";
import { HOTEL_ITEM, hotelPayment } from "./payments.fixture.js";

let f: PaymentFixture;
test.before(async () => {
  f = await paymentFixture();
});
test.after(async () => {
  await f.close();
});

let keys = 0;
const key = () => `key-${++keys}`;
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

/** A payment the gateway authorised (through its callback). */
async function authorisedPayment(customerId: string, amountMinor = 10_000n) {
  const { payment } = await f.client.makePayment(f.as(customerId), hotelPayment(customerId, key(), amountMinor));
  await f.callbacks.receive(f.asService("gateway"), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(payment!.paymentId, "authorised")));
  return payment!.paymentId;
}

test("MakePayment records the payment PENDING and answers the gateway's card page", async () => {
  const before = await f.counts();
  const res = await f.client.makePayment(f.as("alice"), hotelPayment("alice", "alice-1", 12_345n));
  const p = res.payment!;
  assert.match(p.paymentId, /^pay_[0-9a-f]{32}$/);
  assert.is(p.customerId, "alice");
  assert.is(p.state, PaymentState.PENDING);
  assert.equal([p.amount!.amountMinor, p.markdown!.amountMinor, p.refunded!.amountMinor], [12_345n, 500n, 0n]);
  assert.is(p.item!.kind.case, "hotelStay");
  assert.is(p.returnUrl, "https://itinera.test/return");
  const session = f.gateway.sessionOf(p.paymentId);
  assert.is(res.redirectUrl, `http://gateway.test/pay/${session.sessionId}`);
  assert.is(p.redirectUrl, res.redirectUrl);
  assert.equal([session.amountMinor, session.currency, session.callbackUrl, session.returnUrl], [12_345n, "EUR", CALLBACK_URL, p.returnUrl]);
  assert.is(session.description, "Hotel Aurora, Lisbon — Double room, 3 nights");
  const after = await f.counts();
  assert.equal([after.payments - before.payments, after.commands - before.commands], [1, 1]);
});

test("the same key and request answer the same payment and write nothing; another request with it is ALREADY_EXISTS", async () => {
  const req = hotelPayment("bob", "bob-1", 5000n);
  const first = await f.client.makePayment(f.as("bob"), req);
  const before = await f.counts();
  const opened = f.gateway.calls.openSession;
  const again = await f.client.makePayment(f.as("bob"), hotelPayment("bob", "bob-1", 5000n));
  assert.equal(again, first);
  assert.equal(await f.counts(), before);
  assert.is(f.gateway.calls.openSession, opened, "a replay does not go to the gateway");

  const e = await failure(f.client.makePayment(f.as("bob"), hotelPayment("bob", "bob-1", 5001n)));
  assert.is(e.code, Code.AlreadyExists);
  assert.match(e.message, /"bob-1" was already used for a different MakePayment request/);
  assert.equal(await f.counts(), before);
});

test("concurrent calls with one key make one payment and one gateway session", async () => {
  const req = hotelPayment("lena", "lena-1", 4200n);
  const answers = await Promise.all(Array.from({ length: 6 }, () => f.client.makePayment(f.as("lena"), req)));
  assert.is(new Set(answers.map((a) => a.payment!.paymentId)).size, 1);
  assert.is(new Set(answers.map((a) => a.redirectUrl)).size, 1);
  assert.is((await f.database.knex("payments").where({ customer_id: "lena" })).length, 1);
  assert.is([...f.gateway.sessions.values()].filter((s) => s.merchantRef === answers[0]!.payment!.paymentId).length, 1);
});

test("idempotency keys are each customer's own: the same key from another customer is another payment", async () => {
  const a = await f.client.makePayment(f.as("carol"), hotelPayment("carol", "shared-key", 5000n));
  const b = await f.client.makePayment(f.as("dave"), hotelPayment("dave", "shared-key", 5000n));
  assert.is.not(a.payment!.paymentId, b.payment!.paymentId);
  assert.is(b.payment!.customerId, "dave");
});

test("bad input is refused with one violation per field, and nothing is written", async () => {
  const before = await f.counts();
  const good = hotelPayment("erin", key(), 1000n);
  const cases: [string, object, string[]][] = [
    [
      "a price of the caller's own",
      { ...good, item: { sellerId: "casa" }, amount: eur(1n), markdown: { amountMinor: 500_000n, currency: "JPY" } },
      ["item", "amount", "markdown"],
    ],
    ["no quote", { ...good, quotes: [] }, ["quotes"]],
    ["three quotes, an empty one", { ...good, quotes: [good.quotes![0]!, "", "c"] }, ["quotes", "quotes[1]"]],
    ["a quote too long to be one", { ...good, quotes: ["q".repeat(5000)] }, ["quotes[0]"]],
    ["not an http URL", { ...good, returnUrl: "ftp://files.test/x" }, ["return_url"]],
    ["another site's return URL", { ...good, returnUrl: "https://evil.test/itinera.test/return" }, ["return_url"]],
    ["a look-alike origin", { ...good, returnUrl: "https://itinera.test.evil.test/return" }, ["return_url"]],
    ["no key, no return URL", { ...good, idempotencyKey: "", returnUrl: "" }, ["idempotency_key", "return_url"]],
  ];
  for (const [what, req, fields] of cases) {
    const e = await failure(f.client.makePayment(f.as("erin"), req as typeof good));
    assert.is(e.code, Code.InvalidArgument, what);
    assert.equal(e.violations.map((v) => v.field), fields, what);
  }
  assert.equal(await f.counts(), before);
});

test("a changed, forged, expired or another customer's quote is FAILED_PRECONDITION in plain words: nothing recorded, the gateway never asked", async () => {
  const before = await f.counts();
  const opened = f.gateway.calls.openSession;
  const good = hotelPayment("ivy", key(), 10_000n);
  const [body, signature] = good.quotes[0]!.split(".") as [string, string];
  const cheaper = hotelPayment("ivy", key(), 1n, 0n).quotes[0]!.split(".")[0]!;
  const cases: [string, string[], string][] = [
    ["a cheaper quote's body under this one's signature", [`${cheaper}.${signature}`], CHANGED],
    ["a MAC of zeros", [`${body}.${Buffer.alloc(32).toString("base64url")}`], CHANGED],
    ["expired", [testQuote("ivy", HOTEL_ITEM, 10_000n, 0n, { issued: new Date(Date.now() - QUOTE_TTL_MS - 1000) })], EXPIRED],
    ["another customer's", hotelPayment("jane", key(), 10_000n).quotes, SOMEONE_ELSES],
  ];
  for (const [what, quotes, reason] of cases) {
    const e = await failure(f.client.makePayment(f.as("ivy"), { ...good, idempotencyKey: key(), quotes }));
    assert.is(e.code, Code.FailedPrecondition, what);
    assert.is(e.message, reason, what);
  }
  assert.equal(await f.counts(), before);
  assert.is(f.gateway.calls.openSession, opened);
});

test("the flexible option is charged at its quoted price and makes the item premium; without it the item is not", async () => {
  const flexible = await f.client.makePayment(f.as("kim"), { ...hotelPayment("kim", key(), 9_000n, 1_000n), flexible: true });
  // listed 10,000 − markdown 1,000 + flexible 1,000 (a tenth of the listed price)
  assert.equal([flexible.payment!.amount!.amountMinor, flexible.payment!.markdown!.amountMinor], [10_000n, 1_000n]);
  assert.is(flexible.payment!.item!.premium, true);
  assert.is(f.gateway.sessionOf(flexible.payment!.paymentId).amountMinor, 10_000n);
  const plain = await f.client.makePayment(f.as("kim"), hotelPayment("kim", key(), 9_000n, 1_000n));
  assert.equal([plain.payment!.amount!.amountMinor, plain.payment!.item!.premium], [9_000n, false]);
  assert.equal([plain.payment!.item!.sellerId, plain.payment!.item!.title], ["casa", "Hotel Aurora, Lisbon — Double room, 3 nights"]);
});

test("a gateway that does not answer: UNAVAILABLE, the payment stays PENDING without a session, and the retry opens it", async () => {
  f.gateway.down = true;
  const req = hotelPayment("frank", "frank-1", 7000n);
  const e = await failure(f.client.makePayment(f.as("frank"), req));
  assert.is(e.code, Code.Unavailable);
  assert.match(e.message, /same idempotency key/);
  const [row] = await f.database.knex("payments").where({ customer_id: "frank" });
  assert.equal([row.state, row.session_id, row.redirect_url], ["pending", null, null]);

  f.gateway.down = false;
  const res = await f.client.makePayment(f.as("frank"), req);
  assert.is(res.payment!.paymentId, row.payment_id, "the same payment, not a second one");
  assert.ok(res.redirectUrl.startsWith("http://gateway.test/pay/"));
  assert.is((await f.database.knex("payments").where({ customer_id: "frank" })).length, 1);
  assert.equal(await f.client.makePayment(f.as("frank"), req), res);
});

test("GetPayment: a customer sees their own; another's id and an unknown id answer the same NOT_FOUND; a service sees any", async () => {
  const { payment } = await f.client.makePayment(f.as("gina"), hotelPayment("gina", key(), 3000n));
  const id = payment!.paymentId;
  assert.is((await f.client.getPayment(f.as("gina"), { paymentId: id })).payment!.paymentId, id);
  assert.is((await f.client.getPayment(f.asService(), { paymentId: id })).payment!.customerId, "gina");
  const theirs = await failure(f.client.getPayment(f.as("hugo"), { paymentId: id }));
  const unknownId = "pay_00000000000000000000000000000000";
  const unknown = await failure(f.client.getPayment(f.as("hugo"), { paymentId: unknownId }));
  assert.equal([theirs.code, unknown.code], [Code.NotFound, Code.NotFound]);
  assert.is(theirs.message.replace(id, "<id>"), unknown.message.replace(unknownId, "<id>"));
  const malformed = await failure(f.client.getPayment(f.as("gina"), { paymentId: "42" }));
  assert.equal(malformed.violations.map((v) => v.field), ["payment_id"]);
});

test("Refund gives back part of an authorised payment once per key; a replay changes nothing", async () => {
  const id = await authorisedPayment("ivy", 10_000n);
  const req = { idempotencyKey: "refund:fail:res-1", paymentId: id, amount: eur(4000n), reason: "seller refused" };
  const first = await f.client.refund(f.asService(), req);
  assert.match(first.refundId, /^gr_/);
  assert.is(first.payment!.refunded!.amountMinor, 4000n);
  assert.is(first.payment!.state, PaymentState.AUTHORISED);

  const before = await f.counts();
  const calls = f.gateway.calls.refund;
  assert.equal(await f.client.refund(f.asService(), req), first);
  assert.equal(await f.counts(), before);
  assert.is(f.gateway.calls.refund, calls, "a replay does not go to the gateway");
  const e = await failure(f.client.refund(f.asService(), { ...req, amount: eur(100n) }));
  assert.is(e.code, Code.AlreadyExists);

  const second = await f.client.refund(f.asService(), { ...req, idempotencyKey: "refund:cancel:res-1", amount: eur(6000n) });
  assert.is(second.payment!.refunded!.amountMinor, 10_000n);
  assert.is((await f.client.getPayment(f.as("ivy"), { paymentId: id })).payment!.refunded!.amountMinor, 10_000n);
  assert.is(f.gateway.sessionOf(id).refundedMinor, 10_000n);
});

test("Refund refuses what is not authorised, more than is left, another currency, an unknown payment — writing nothing", async () => {
  const { payment } = await f.client.makePayment(f.as("jack"), hotelPayment("jack", key(), 5000n));
  const pendingId = payment!.paymentId;
  const paid = await authorisedPayment("jack", 5000n);
  await f.client.refund(f.asService(), { idempotencyKey: key(), paymentId: paid, amount: eur(3000n) });
  const before = await f.counts();
  const calls = f.gateway.calls.refund;

  const pending = await failure(f.client.refund(f.asService(), { idempotencyKey: key(), paymentId: pendingId, amount: eur(100n) }));
  assert.is(pending.code, Code.FailedPrecondition);
  assert.match(pending.message, /is pending: only an authorised payment can be refunded/);
  const tooMuch = await failure(f.client.refund(f.asService(), { idempotencyKey: key(), paymentId: paid, amount: eur(2001n) }));
  assert.is(tooMuch.code, Code.FailedPrecondition);
  assert.match(tooMuch.message, /EUR 20\.01 exceeds what is left to refund .* EUR 20\.00/);
  const currency = await failure(f.client.refund(f.asService(), { idempotencyKey: key(), paymentId: paid, amount: { amountMinor: 10n, currency: "USD" } }));
  assert.equal([currency.code, currency.violations.map((v) => v.field)], [Code.InvalidArgument, ["amount.currency"]]);
  const unknown = await failure(
    f.client.refund(f.asService(), { idempotencyKey: key(), paymentId: "pay_11111111111111111111111111111111", amount: eur(1n) }),
  );
  assert.is(unknown.code, Code.NotFound);
  const invalid = await failure(f.client.refund(f.asService(), { idempotencyKey: "", paymentId: paid, amount: eur(0n) }));
  assert.equal(invalid.violations.map((v) => v.field), ["idempotency_key", "amount.amount_minor"]);

  assert.equal(await f.counts(), before);
  assert.is(f.gateway.calls.refund, calls, "nothing refused went to the gateway");
});

test("a refund the gateway could not take is retried with the same key and refunds once", async () => {
  const id = await authorisedPayment("kate", 8000n);
  const req = { idempotencyKey: "refund:cancel:res-k", paymentId: id, amount: eur(8000n), reason: "cancelled by customer" };
  f.gateway.down = true;
  assert.is((await failure(f.client.refund(f.asService(), req))).code, Code.Unavailable);
  assert.is((await f.client.getPayment(f.asService(), { paymentId: id })).payment!.refunded!.amountMinor, 0n);
  f.gateway.down = false;
  const res = await f.client.refund(f.asService(), req);
  assert.is(res.payment!.refunded!.amountMinor, 8000n);
  assert.is(f.gateway.sessionOf(id).refundedMinor, 8000n);
  assert.is((await f.database.knex("refunds").where({ payment_id: id })).length, 1);
});

test.run();
