// Payment against every committed pact that names it (booking's refunds and
// sellers', the web BFF's MakePayment, GetPayment and ListPayments, and for an operator ListPendingPayments): the real server, wired as services/payment/main.ts wires it
// (serverStack, bearer-token authentication, the gateway's callback route
// beside the RPCs) on its own PostgreSQL database, with an in-memory gateway
// (services/payment/fake-gateway.fixture.ts) in place of the card gateway.
//
// States go through payment itself: a customer's MakePayment, then the
// gateway's decision delivered as the gateway delivers it — a signed POST to
// the server's /callbacks/gateway — and, for "refunded in full", a Refund.
// Payment ids are payment's own: each state answers its payment's id, which
// the verifier sends in place of the pact's example. Refund is for services
// only: the verifier sends a service token testTokens signed, which the
// server's authenticate accepts; the web BFF's calls carry its customer's
// own token, which the state signs for its customer and answers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";
import { CALLBACK_PATH, gatewayCallbackRoute } from "../../services/payment/callback-route.js";
import { signedCallback } from "../../services/payment/fake-gateway.fixture.js";
import { CALLBACK_URL, paymentFixture, TEST_GATEWAY_SECRET, TEST_PAGE_TOKEN_SECRET, type PaymentFixture } from "../../services/payment/fixture.js";
import { hotelPayment, TEST_QUOTING } from "../../services/payment/payments.fixture.js";
import { paymentService } from "../../services/payment/service.js";
import { SIGNATURE_HEADER } from "../../services/payment/signature.js";
import { paymentValidators } from "../../services/payment/validators.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";

let f: PaymentFixture;
let tokens: TestTokens;
let server: ProviderServer | undefined;
let keys = 0;

/** A payment server exactly as main.ts builds one, over the fixture's store and in-memory gateway. */
async function servePayment(): Promise<ProviderServer> {
  return startProvider(PaymentService, paymentService({ store: f.store, gateway: f.gateway, callbackUrl: CALLBACK_URL, ...TEST_QUOTING, pageTokenSecret: TEST_PAGE_TOKEN_SECRET }), {
    validators: paymentValidators(TEST_QUOTING.validation),
    ready: f.database.ready,
    authenticate: tokens.authenticate,
    http: (_endpoints, log) => gatewayCallbackRoute({ callbacks: f.callbacks, log }),
  });
}

/** A payment the customer made and the gateway decided, its callback delivered to the server as the gateway would. */
async function decidedPayment(params: StateParams, decision: "authorised" | "declined"): Promise<string> {
  const [customerId, currency] = [stringParam(params, "customerId"), stringParam(params, "currency")];
  if (currency !== "EUR") throw new Error(`the payments here are in EUR, not ${currency}`);
  const req = hotelPayment(customerId, `pact-state-${++keys}`, BigInt(stringParam(params, "amountMinor")), 0n);
  const { payment } = await f.client.makePayment(f.as(customerId), req);
  const paymentId = payment!.paymentId;
  const callback = signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(paymentId, decision));
  const res = await fetch(new URL(CALLBACK_PATH, server!.url), {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: callback.signature },
    body: Buffer.from(callback.body),
  });
  if (res.status !== 200) throw new Error(`the gateway's callback for ${paymentId} answered ${res.status}: ${await res.text()}`);
  const { payment: after } = await f.client.getPayment(f.asService(), { paymentId });
  const expected = decision === "authorised" ? PaymentState.AUTHORISED : PaymentState.DECLINED;
  if (after?.state !== expected) throw new Error(`payment ${paymentId} is not ${decision} after the callback`);
  return paymentId;
}

const authorisedPayment = (params: StateParams) => decidedPayment(params, "authorised");

/** A token of the state's customer, for the calls a BFF makes on their behalf (withCustomerBearer). */
const customerToken = async (params: StateParams) => (await tokens.customer(stringParam(params, "customerId"))).token!;

/** The states payment's consumers name, set up through payment itself. */
const paymentStates = (): ProviderStates => ({
  async "a customer may pay"(params) {
    return { customerToken: await customerToken(params) };
  },
  async "a payment is authorised"(params) {
    return { paymentId: await authorisedPayment(params), customerToken: await customerToken(params) };
  },
  async "a payment was declined"(params) {
    await decidedPayment(params, "declined");
    return { customerToken: await customerToken(params) };
  },
  // The Operator page: a payment the gateway never decided, made an hour ago (older than
  // the default threshold); the BFF forwards the operator's own token.
  async "a payment has been pending for an hour"(params) {
    const customerId = stringParam(params, "customerId");
    if (stringParam(params, "currency") !== "EUR") throw new Error(`the payments here are in EUR, not ${stringParam(params, "currency")}`);
    const req = hotelPayment(customerId, `pact-state-${++keys}`, BigInt(stringParam(params, "amountMinor")), 0n);
    const { payment } = await f.client.makePayment(f.as(customerId), req);
    await f.database.knex("payments").where({ payment_id: payment!.paymentId }).update({ create_time: new Date(Date.now() - 3_600_000) });
    return { customerToken: (await tokens.operator(stringParam(params, "operatorId"))).token! };
  },
  async "a payment was refunded in full"(params) {
    const paymentId = await authorisedPayment(params);
    const amount = { amountMinor: BigInt(stringParam(params, "amountMinor")), currency: stringParam(params, "currency") };
    await f.client.refund(f.asService(), { idempotencyKey: `pact-state-refund-${paymentId}`, paymentId, amount, reason: "pact provider state" });
    return { paymentId };
  },
});

test.before(async () => {
  f = await paymentFixture();
  tokens = await testTokens();
  server = await servePayment();
});
test.after(async () => {
  await server?.close();
  await f?.close();
});

test("the real payment satisfies every pact that names it", async () => {
  const bearerTokens = { booking: (await tokens.service("booking")).token!, sellers: (await tokens.service("sellers")).token! };
  const result = await verifyProvider("payment", server!.url, paymentStates(), { bearerTokens });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["booking-payment.json", "sellers-payment.json", "web-payment.json"],
  );
  assert.ok(result.interactions >= 7, `${result.interactions} interactions`);
  // The refunds went through to the gateway: booking's full and partial ones and sellers' one, each once.
  const refunded = [...f.gateway.refunds.entries()].filter(([key]) => key.startsWith("refund:")).map(([key, r]) => [key.split(":")[1], r.amountMinor]);
  assert.equal(
    refunded.sort((a, b) => String(a).localeCompare(String(b))),
    [
      ["cancel", 27_500n],
      ["fail", 25_000n],
      ["fail", 31_500n],
    ],
  );
  // The web BFF's booking made a payment for its customer (the token's), with the markdown, pending at the gateway.
  const made = await f.database.knex("payments").where({ customer_id: "c-91" }).select("markdown_minor", "state");
  assert.equal(made.map((p: { markdown_minor: string; state: string }) => [String(p.markdown_minor), p.state]), [["10000", "pending"]]);
});

test.run();
