// The gateway's callbacks applied by PaymentCallbacks on real PostgreSQL and
// the real bus: the state change, the recorded event id and the published
// PaymentEvent go together; duplicates — concurrent or late, with the same
// event id or another — publish nothing more; a bad signature, a stale one, a
// wrong amount, an unknown payment or a malformed body change nothing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive, traceparent } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { signedCallback } from "./fake-gateway.fixture.js";
import { failure, paymentFixture, TEST_GATEWAY_SECRET, type PaymentFixture } from "./fixture.js";
import { hotelPayment } from "./payments.fixture.js";
import { signBody } from "./signature.js";

let f: PaymentFixture;
test.before(async () => {
  f = await paymentFixture();
});
test.after(async () => {
  await f.close();
});

let keys = 0;
const ctx = () => f.asService("gateway");

async function pendingPayment(customerId = "alice", amountMinor = 9900n): Promise<string> {
  const { payment } = await f.client.makePayment(f.as(customerId), hotelPayment(customerId, `cb-${++keys}`, amountMinor));
  return payment!.paymentId;
}

async function eventsOf(paymentId: string) {
  return (await f.events()).filter((e) => e.key === paymentId).map((e) => e.event.event);
}

const state = async (paymentId: string) => (await f.client.getPayment(f.asService(), { paymentId })).payment!;

test("an authorised callback moves the payment to AUTHORISED and publishes PaymentAuthorised keyed by the payment", async () => {
  const id = await pendingPayment();
  const outcome = await f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(id, "authorised")));
  assert.equal(outcome, { paymentId: id, status: "authorised", duplicate: false });
  const p = await state(id);
  assert.is(p.state, PaymentState.AUTHORISED);
  assert.is(p.declineReason, "");
  assert.ok(p.authoriseTime, "an authorised payment says when");
  const events = await eventsOf(id);
  assert.is(events.length, 1);
  assert.is(events[0]!.case, "authorised");
  const carried = events[0]!.value!.payment!;
  assert.equal([carried.paymentId, carried.customerId, carried.state, carried.amount!.amountMinor, carried.markdown!.amountMinor], [id, "alice", PaymentState.AUTHORISED, 9900n, 500n]);
  assert.is(carried.item!.sellerId, "casa");
});

test("the gateway's decision is published in the trace the payment was made in (the callback carries none)", async () => {
  const made = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };
  const { payment } = await f.client.makePayment(derive(f.as("alice"), { trace: made }), hotelPayment("alice", `cb-${++keys}`, 9900n));
  const id = payment!.paymentId;
  await f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(id, "authorised")));
  const r = await f.database.knex.raw<{ rows: { traceparent?: string }[] }>(`select headers->>'traceparent' as traceparent from bus.messages where key = ?`, [id]);
  assert.equal(r.rows, [{ traceparent: traceparent(made) }]);
});

test("a declined callback records the reason and publishes PaymentDeclined", async () => {
  const id = await pendingPayment();
  await f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(id, "declined", "The card was declined by its issuer.")));
  const p = await state(id);
  assert.equal([p.state, p.declineReason, p.authoriseTime], [PaymentState.DECLINED, "The card was declined by its issuer.", undefined]);
  const events = await eventsOf(id);
  assert.equal(events.map((e) => e.case), ["declined"]);
});

test("concurrent duplicate callbacks, with the same event id or new ones, publish one event", async () => {
  const id = await pendingPayment();
  const body = f.gateway.decide(id, "authorised");
  const others = [f.gateway.callbackBody(id), f.gateway.callbackBody(id)];
  const deliveries = [...Array.from({ length: 8 }, () => body), ...others].map((b) => f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, b)));
  const outcomes = await Promise.all(deliveries);
  assert.is(outcomes.filter((o) => !o.duplicate).length, 1, "exactly one delivery applied the decision");
  assert.is((await eventsOf(id)).length, 1);
  const recorded = await f.database.knex("gateway_events").where({ payment_id: id });
  assert.is(recorded.length, 3, "each distinct gateway event id is recorded once");
  // a late one, after the fact
  const late = await f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, body));
  assert.is(late.duplicate, true);
  assert.is((await eventsOf(id)).length, 1);
});

test("a missing, forged or stale signature is UNAUTHENTICATED and changes nothing", async () => {
  const id = await pendingPayment();
  const body = f.gateway.decide(id, "authorised");
  const bytes = new TextEncoder().encode(body);
  const before = await f.counts();
  const cases = [
    { what: "missing", signature: undefined },
    { what: "another secret", signature: signBody("not-the-secret", body) },
    { what: "another body", signature: signBody(TEST_GATEWAY_SECRET, body.replace("9900", "1")) },
    { what: "six minutes old", signature: signBody(TEST_GATEWAY_SECRET, body, new Date(Date.now() - 360_000)) },
    { what: "six minutes ahead", signature: signBody(TEST_GATEWAY_SECRET, body, new Date(Date.now() + 360_000)) },
    { what: "malformed", signature: "v1=abc" },
  ];
  for (const c of cases) {
    const e = await failure(f.callbacks.receive(ctx(), { body: bytes, signature: c.signature }));
    assert.is(e.code, Code.Unauthenticated, c.what);
  }
  assert.equal(await f.counts(), before);
  assert.is((await state(id)).state, PaymentState.PENDING);
  // four minutes old is within the tolerance
  await f.callbacks.receive(ctx(), { body: bytes, signature: signBody(TEST_GATEWAY_SECRET, body, new Date(Date.now() - 240_000)) });
  assert.is((await state(id)).state, PaymentState.AUTHORISED);
});

test("a callback whose amount or currency does not match is refused (FAILED_PRECONDITION) and changes nothing", async () => {
  const id = await pendingPayment("bob", 5000n);
  f.gateway.decide(id, "authorised");
  const before = await f.counts();
  for (const overrides of [{ amount_minor: 4999 }, { currency: "USD" }, { session_id: "gs_other" }]) {
    const e = await failure(f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, f.gateway.callbackBody(id, overrides))));
    assert.is(e.code, Code.FailedPrecondition, JSON.stringify(overrides));
  }
  assert.equal(await f.counts(), before);
  assert.is((await state(id)).state, PaymentState.PENDING);
  assert.equal(await eventsOf(id), []);
});

test("an unknown payment is NOT_FOUND; a malformed body is INVALID_ARGUMENT naming its fields", async () => {
  const unknown = JSON.stringify({ event_id: "ge_x", session_id: "gs_x", merchant_ref: "pay_22222222222222222222222222222222", status: "authorised", amount_minor: 100, currency: "EUR" });
  assert.is((await failure(f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, unknown)))).code, Code.NotFound);
  const bad = JSON.stringify({ event_id: "", session_id: "gs_x", merchant_ref: "pay_x", status: "maybe", amount_minor: -1, currency: "EUR" });
  const e = await failure(f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, bad)));
  assert.is(e.code, Code.InvalidArgument);
  assert.equal(e.violations.map((v) => v.field), ["event_id", "status", "amount_minor"]);
  const notJson = await failure(f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, "{nope")));
  assert.is(notJson.code, Code.InvalidArgument);
});

test("a decision contradicting the one applied is refused; a late decision for an EXPIRED payment is applied", async () => {
  const id = await pendingPayment();
  await f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(id, "authorised")));
  const contradiction = f.gateway.callbackBody(id, { status: "declined" });
  assert.is((await failure(f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, contradiction)))).code, Code.FailedPrecondition);
  assert.is((await state(id)).state, PaymentState.AUTHORISED);

  const late = await pendingPayment();
  await f.database.knex("payments").where({ payment_id: late }).update({ state: "expired" });
  await f.callbacks.receive(ctx(), signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(late, "authorised")));
  assert.is((await state(late)).state, PaymentState.AUTHORISED);
  assert.equal((await eventsOf(late)).map((e) => e.case), ["authorised"]);
});

test.run();
