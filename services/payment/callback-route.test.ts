// The whole card path over real HTTP: payment's server (RPCs and
// POST /callbacks/gateway on one port) with the HTTP gateway client, against
// the real sandbox gateway (sandbox/gateway.ts, in-process) on real
// PostgreSQL. A card paid on the gateway's page calls back (twice, the second
// a deliberate duplicate) and the payment is decided once; a declined card
// says why; a callback the gateway could not deliver arrives on its retry; a
// refund goes to the gateway once per key; the expiry sweep finds a decision
// whose callbacks never came. Forged, malformed and mismatched callbacks get
// their HTTP status and change nothing.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { advisoryExclusive } from "../../platform/job-lock.js";
import { backgroundContext } from "../../endpoints/context.js";
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { freePort, until } from "../../platform/processes.testing.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { startGateway, type RunningGateway } from "../../sandbox/gateway.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { CALLBACK_PATH, gatewayCallbackRoute } from "./callback-route.js";
import { PaymentExpiry } from "./expiry.js";
import { paymentFixture, TEST_GATEWAY_SECRET, TEST_PAGE_TOKEN_SECRET, type PaymentFixture } from "./fixture.js";
import { httpGateway } from "./gateway-client.js";
import { hotelPayment, TEST_QUOTING } from "./payments.fixture.js";
import { paymentService } from "./service.js";
import { signBody } from "./signature.js";

const log = pino({ level: "silent" });
let gw: RunningGateway;
let f: PaymentFixture;
let server: RunningServer;
let tracing: Tracing;

test.before(async () => {
  gw = await startGateway({ secret: TEST_GATEWAY_SECRET, callbacks: { duplicateDelayMs: 50, retryBaseMs: 100, retryMaxMs: 400 } });
  const port = await freePort();
  const callbackUrl = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
  f = await paymentFixture({ gateway: httpGateway({ baseUrl: gw.url, secret: TEST_GATEWAY_SECRET }), callbackUrl, ...TEST_QUOTING });
  tracing = createTracing({ serviceName: "payment" });
  const registry = new Registry();
  const service = paymentService({ store: f.store, gateway: httpGateway({ baseUrl: gw.url, secret: TEST_GATEWAY_SECRET }), callbackUrl, ...TEST_QUOTING, pageTokenSecret: TEST_PAGE_TOKEN_SECRET });
  const endpoints = endpointsOf(PaymentService, service, ...serverStack({ registry, tracer: tracing.tracer }));
  server = await startServer({
    port,
    log,
    routes: (router) => serveService(router, PaymentService, endpoints, { log }),
    http: gatewayCallbackRoute({ callbacks: f.callbacks, log }),
  });
});
test.after(async () => {
  gw?.callbacks.reset();
  await server?.close(1000);
  await gw?.close();
  await tracing?.shutdown();
  await f?.close();
});

let keys = 0;
async function pay(customerId: string, amountMinor: bigint) {
  const res = await f.client.makePayment(f.as(customerId), hotelPayment(customerId, `route-${++keys}`, amountMinor));
  return { id: res.payment!.paymentId, page: res.redirectUrl };
}

/** Submits a card on the gateway's page, as a browser does; the 303 is not followed. */
async function submitCard(page: string, cardNumber: string) {
  const res = await fetch(page, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card_number: cardNumber, name_on_card: "A Customer" }).toString(),
  });
  await res.text();
  return { status: res.status, location: res.headers.get("location") ?? "" };
}

async function postCallback(body: string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}${CALLBACK_PATH}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const stateOf = async (id: string) => (await f.client.getPayment(f.asService(), { paymentId: id })).payment!;
const eventsOf = async (id: string) => (await f.events()).filter((e) => e.key === id).map((e) => e.event.event.case);
const ledgerOf = async (id: string) =>
  ((await (await fetch(`${gw.url}/admin/ledger`)).json()) as { merchant_ref: string; charges: number; refunded_minor: number; refunds: number }[]).find(
    (l) => l.merchant_ref === id,
  )!;

test("a card paid on the gateway's page authorises the payment once, duplicate callback included", async () => {
  const { id, page } = await pay("alice", 12_345n);
  assert.ok(page.startsWith(`${gw.url}/pay/gs_`), page);
  const html = await (await fetch(page)).text();
  assert.match(html, /123\.45/);

  const sent = (await (await fetch(`${gw.url}/admin/stats`)).json()) as { callbacks_sent: number };
  const paid = await submitCard(page, "4242 4242 4242 4242");
  assert.is(paid.status, 303);
  const back = new URL(paid.location);
  assert.equal([back.origin + back.pathname, back.searchParams.get("payment_id"), back.searchParams.get("status")], ["https://itinera.test/return", id, "authorised"]);
  // the gateway awaited its first callback before redirecting: the browser comes back to a decided payment
  assert.is((await stateOf(id)).state, PaymentState.AUTHORISED);

  await gw.callbacks.idle(); // the deliberate duplicate has been delivered and accepted
  const stats = (await (await fetch(`${gw.url}/admin/stats`)).json()) as { callbacks_sent: number };
  assert.is(stats.callbacks_sent - sent.callbacks_sent, 2);
  assert.equal(await eventsOf(id), ["authorised"]);
  assert.is((await f.database.knex("gateway_events").where({ payment_id: id })).length, 1);

  // a second submission charges nothing more and calls back no more
  assert.is((await submitCard(page, "4242424242424242")).status, 303);
  assert.is((await ledgerOf(id)).charges, 1);
  assert.equal(await eventsOf(id), ["authorised"]);
});

test("a declined card declines the payment with the gateway's reason", async () => {
  const { id, page } = await pay("bob", 5000n);
  const res = await submitCard(page, "4000000000000002");
  assert.is(new URL(res.location).searchParams.get("status"), "declined");
  const p = await stateOf(id);
  assert.equal([p.state, p.declineReason], [PaymentState.DECLINED, "The card was declined by its issuer."]);
  await gw.callbacks.idle();
  assert.equal(await eventsOf(id), ["declined"]);
});

test("a callback the gateway could not deliver arrives on its retry", async () => {
  const { id, page } = await pay("carol", 7000n);
  await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "down" }) });
  await submitCard(page, "4242424242424242");
  assert.is((await stateOf(id)).state, PaymentState.PENDING);
  await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "normal" }) });
  await until("the retried callback", async () => ((await stateOf(id)).state === PaymentState.AUTHORISED ? true : undefined));
  await gw.callbacks.idle();
  assert.equal(await eventsOf(id), ["authorised"]);
});

test("a refund goes through the real gateway once per key", async () => {
  const { id, page } = await pay("dave", 10_000n);
  await submitCard(page, "4242424242424242");
  const req = { idempotencyKey: "refund:cancel:res-dave", paymentId: id, amount: { amountMinor: 2500n, currency: "EUR" }, reason: "cancelled by customer" };
  const first = await f.client.refund(f.asService(), req);
  assert.match(first.refundId, /^gr_/);
  assert.equal(await f.client.refund(f.asService(), req), first);
  const over = await f.client.refund(f.asService(), { ...req, idempotencyKey: "too-much", amount: { amountMinor: 7501n, currency: "EUR" } }).catch((e: unknown) => e);
  assert.match(String(over), /exceeds what is left/);
  const ledger = await ledgerOf(id);
  assert.equal([ledger.refunded_minor, ledger.refunds], [2500, 1]);
});

test("the sweep finds a decision whose callbacks never came, and expires a session still processing", async () => {
  const missed = await pay("erin", 3000n);
  const stuck = await pay("erin", 3100n);
  await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "down" }) });
  await submitCard(missed.page, "4242424242424242");
  await submitCard(stuck.page, "4000000000000119"); // the gateway never answers this card
  const expiry = new PaymentExpiry({
    store: f.store,
    gateway: httpGateway({ baseUrl: gw.url, secret: TEST_GATEWAY_SECRET }),
    callbacks: f.callbacks,
    expireMs: 15 * 60_000,
    exclusive: advisoryExclusive(f.database.knex),
    now: () => new Date(Date.now() + 16 * 60_000),
  });
  const result = await expiry.sweep(backgroundContext({ log }));
  assert.ok(result.decided.includes(missed.id) && result.expired.includes(stuck.id), JSON.stringify(result));
  assert.is((await stateOf(missed.id)).state, PaymentState.AUTHORISED);
  assert.is((await stateOf(stuck.id)).state, PaymentState.EXPIRED);
  // the gateway's own retry arrives later and changes nothing
  await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "normal" }) });
  await gw.callbacks.idle();
  assert.equal(await eventsOf(missed.id), ["authorised"]);
});

test("forged, malformed and mismatched callbacks get their HTTP status and change nothing", async () => {
  const { id } = await pay("fay", 4000n);
  const session = (await stateOf(id)).redirectUrl.split("/pay/")[1]!;
  const body = (over: object = {}) =>
    JSON.stringify({ event_id: "ge_forged", session_id: session, merchant_ref: id, status: "authorised", amount_minor: 4000, currency: "EUR", reason: "", ...over });
  const before = await f.counts();
  assert.is((await postCallback(body(), {})).status, 401);
  assert.is((await postCallback(body(), { "x-gateway-signature": signBody("wrong-secret", body()) })).status, 401);
  assert.is((await postCallback("[1,2]", { "x-gateway-signature": signBody(TEST_GATEWAY_SECRET, "[1,2]") })).status, 400);
  const mismatch = body({ amount_minor: 1 });
  const refused = await postCallback(mismatch, { "x-gateway-signature": signBody(TEST_GATEWAY_SECRET, mismatch) });
  assert.equal([refused.status, refused.json.code], [422, "FAILED_PRECONDITION"]);
  const unknown = body({ merchant_ref: "pay_33333333333333333333333333333333" });
  assert.is((await postCallback(unknown, { "x-gateway-signature": signBody(TEST_GATEWAY_SECRET, unknown) })).status, 404);
  assert.is((await fetch(`${server.url}${CALLBACK_PATH}`)).status, 405);
  assert.equal(await f.counts(), before);
  assert.is((await stateOf(id)).state, PaymentState.PENDING);
  // the RPCs and probes on the same port still answer
  assert.is((await fetch(`${server.url}/healthz`)).status, 200);
});

test.run();
