// Payment over the wire, wired as main.ts wires it (serverStack with the
// access middleware, serveService with an authenticator), with real signed
// tokens (identity's testTokens) over Connect and gRPC: who may call what.
// No token is UNAUTHENTICATED; a service cannot MakePayment and a customer
// cannot Refund (PERMISSION_DENIED) — and a refused call writes nothing.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Context, type Principal } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { endpointsOf, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { CALLBACK_URL, failure, paymentFixture, TEST_PAGE_TOKEN_SECRET, type PaymentFixture } from "./fixture.js";
import { hotelPayment, TEST_QUOTING } from "./payments.fixture.js";
import { paymentService } from "./service.js";
import { paymentValidators } from "./validators.js";

const log = pino({ level: "silent" });
let f: PaymentFixture;
let tokens: TestTokens;
let server: RunningServer;
let tracing: Tracing;
let connect: Client<typeof PaymentService>;
let grpc: Client<typeof PaymentService>;

test.before(async () => {
  f = await paymentFixture();
  tokens = await testTokens();
  tracing = createTracing({ serviceName: "payment" });
  const endpoints = endpointsOf(
    PaymentService,
    paymentService({ store: f.store, gateway: f.gateway, callbackUrl: CALLBACK_URL, ...TEST_QUOTING, pageTokenSecret: TEST_PAGE_TOKEN_SECRET }),
    ...serverStack({ registry: new Registry(), tracer: tracing.tracer, validators: paymentValidators(TEST_QUOTING.validation) }),
  );
  server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, PaymentService, endpoints, { log, authenticate: tokens.authenticate }),
  });
  connect = clientOf(PaymentService, connectTransport(server.url));
  grpc = clientOf(PaymentService, grpcTransport(server.url));
});
test.after(async () => {
  await server?.close(1000);
  await tracing?.shutdown();
  await f?.close();
});

const as = (principal?: Principal): Context => backgroundContext({ log, ...(principal ? { principal } : {}) });
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

test("without a token every method is UNAUTHENTICATED; a token signed by another key too", async () => {
  const anonymous = as();
  const foreign = as({ kind: "customer", id: "alice", roles: [], token: await tokens.foreignToken("alice") });
  for (const client of [connect, grpc]) {
    for (const ctx of [anonymous, foreign]) {
      assert.is((await failure(client.makePayment(ctx, hotelPayment("alice", "anon-1", 1000n)))).code, Code.Unauthenticated);
      assert.is((await failure(client.getPayment(ctx, { paymentId: "pay_00000000000000000000000000000000" }))).code, Code.Unauthenticated);
      assert.is(
        (await failure(client.refund(ctx, { idempotencyKey: "r", paymentId: "pay_00000000000000000000000000000000", amount: eur(1n) }))).code,
        Code.Unauthenticated,
      );
    }
  }
  assert.is((await f.counts()).payments, 0);
});

test("a service cannot MakePayment; a customer cannot Refund", async () => {
  const booking = as(await tokens.service("booking"));
  const alice = as(await tokens.customer("alice"));
  for (const client of [connect, grpc]) {
    const e = await failure(client.makePayment(booking, hotelPayment("booking", "svc-1", 1000n)));
    assert.is(e.code, Code.PermissionDenied);
    const r = await failure(client.refund(alice, { idempotencyKey: "r-1", paymentId: "pay_00000000000000000000000000000000", amount: eur(1n) }));
    assert.is(r.code, Code.PermissionDenied);
  }
  assert.equal(await f.counts(), { payments: 0, commands: 0, refunds: 0, gateway_events: 0, inbox: 0 });
});

test("a customer pays and reads their own payment; another customer cannot; a service cannot read it but refunds", async () => {
  const alice = as(await tokens.customer("alice"));
  const bob = as(await tokens.customer("bob"));
  const booking = as(await tokens.service("booking"));
  const made = await connect.makePayment(alice, hotelPayment(alice.principal!.id, "alice-wire-1", 4500n));
  const id = made.payment!.paymentId;
  assert.is(made.payment!.customerId, "alice", "the customer comes from the token, not the request");
  assert.is((await grpc.getPayment(alice, { paymentId: id })).payment!.state, PaymentState.PENDING);
  assert.is((await failure(grpc.getPayment(bob, { paymentId: id }))).code, Code.NotFound);
  assert.is((await failure(connect.getPayment(booking, { paymentId: id }))).code, Code.PermissionDenied, "GetPayment names only the customer");
  // the refund reaches the service, which refuses a payment the gateway has not authorised
  const pending = await failure(grpc.refund(booking, { idempotencyKey: "refund:fail:x", paymentId: id, amount: eur(100n) }));
  assert.is(pending.code, Code.FailedPrecondition);
  // validation over the wire names the fields
  const bad = await failure(
    connect.makePayment(alice, { ...hotelPayment(alice.principal!.id, "alice-wire-2", 1000n), amount: eur(1n), returnUrl: "javascript:alert(1)" }),
  );
  assert.equal([bad.code, bad.violations.map((v) => v.field)], [Code.InvalidArgument, ["amount", "return_url"]]);
});

test.run();
