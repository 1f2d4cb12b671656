// Payment as a real process: `node --import tsx services/payment/main.ts` on
// a free port and a fresh database, with identity, the sandbox gateway and a
// fake booking server in this test process. main.ts migrates both schemas
// (payment and bus), becomes ready, and runs the saga's first half for real:
// a customer's MakePayment, the card paid on the gateway's page, the signed
// callback into the process, PaymentAuthorised on the bus, and its consumer
// calling booking.CreateReservation with payment's own service token. It
// exits 0 on SIGTERM, and refuses a bad setting naming the variable.
import pg from "pg";
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Principal } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { endpointsOf, type Service } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { BookingService, ReservationState, type CreateReservationRequest } from "../../gen/itinera/booking/v1/booking_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { startGateway, type RunningGateway } from "../../sandbox/gateway.js";
import { clientOf, connectTransport, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "../identity/fixture.js";
import { bearerAuthenticator, tokenVerifier } from "../identity/verifier.js";
import { hotelPayment } from "./payments.fixture.js";

const log = pino({ level: "silent" });
const SECRET = "main-test-gateway-secret";
let db: TestDatabase;
let identity: IdentityFixture;
let identityServer: RunningServer;
let gateway: RunningGateway;
let booking: RunningServer;
let tracing: Tracing;
let payment: TestProcess;
let url: string;
/** Who called CreateReservation, with what. */
const reservations: { principal: Principal | undefined; req: CreateReservationRequest }[] = [];

function fakeBooking(): Service<typeof BookingService> {
  const refuse = () => Promise.reject(new KitError(Code.Unimplemented, "not in the fake"));
  return {
    async createReservation(ctx, req) {
      reservations.push({ principal: ctx.principal, req });
      return { reservation: { reservationId: "res_main_1", paymentId: req.paymentId, state: ReservationState.PAID } };
    },
    getReservation: refuse,
    listReservations: refuse,
    quoteCancellation: refuse,
    cancelReservation: refuse,
    confirmReservation: refuse,
    failReservation: refuse,
    countReservationsByState: refuse,
  };
}

function startPayment(env: Record<string, string>): TestProcess {
  return startProcess("services/payment/main.ts", { DATABASE_URL: db.url, LOG_LEVEL: "info", ...env });
}

test.before(async () => {
  identity = await identityFixture();
  identityServer = await serveIdentity(identity);
  gateway = await startGateway({ secret: SECRET });
  tracing = createTracing({ serviceName: "booking" });
  // booking verifies payment's token exactly as the real one will: against identity's keys
  const authenticate = bearerAuthenticator(tokenVerifier({ jwksUrl: new URL("/.well-known/jwks.json", identityServer.url) }));
  const endpoints = endpointsOf(BookingService, fakeBooking(), ...serverStack({ registry: new Registry(), tracer: tracing.tracer }));
  booking = await startServer({ port: 0, log, routes: (router) => serveService(router, BookingService, endpoints, { log, authenticate }) });

  db = await testDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  payment = startPayment({
    PAYMENT_PORT: String(port),
    PAYMENT_PUBLIC_URL: url,
    PAYMENT_RETURN_ORIGINS: "https://itinera.test",
    GATEWAY_URL: gateway.url,
    GATEWAY_SECRET: SECRET,
    BOOKING_URL: booking.url,
    IDENTITY_URL: identityServer.url,
    SERVICE_SECRET: testServiceSecret("payment"),
  });
  await until(
    "200 from /readyz",
    async () => {
      if (payment.child.exitCode !== null) throw new Error(`payment exited with ${payment.child.exitCode}: ${payment.stderr()}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
    },
    30_000,
  );
});
test.after(async () => {
  try {
    await payment?.kill();
  } finally {
    gateway?.callbacks.reset();
    await gateway?.close();
    await booking?.close(1000);
    await identityServer?.close(1000);
    await identity?.close();
    await tracing?.shutdown();
    await db?.drop();
  }
});

/** One query on the test database, as a person would look (schema-qualified names). */
async function query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

test("a paid card becomes a reservation requested by payment's own service identity", async () => {
  const signedUp = await identity.signedUp("payer@example.com", "a long enough password", "Payer");
  const customer: Principal = { kind: "customer", id: signedUp.customerId, roles: [], token: signedUp.tokens.accessToken };
  const client = clientOf(PaymentService, grpcTransport(url));
  const ctx = backgroundContext({ log, principal: customer });

  const made = await client.makePayment(ctx, hotelPayment(customer.id, "main-1", 15_000n));
  const id = made.payment!.paymentId;
  assert.ok(made.redirectUrl.startsWith(`${gateway.url}/pay/`), made.redirectUrl);
  const paid = await fetch(made.redirectUrl, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "card_number=4242+4242+4242+4242",
  });
  assert.is(paid.status, 303);
  assert.is((await client.getPayment(ctx, { paymentId: id })).payment!.state, PaymentState.AUTHORISED);

  const call = await until("CreateReservation", () => reservations.find((r) => r.req.paymentId === id));
  assert.equal([call.principal?.kind, call.principal?.id], ["service", "payment"]);
  assert.equal([call.req.customerId, call.req.amount?.amountMinor, call.req.markdown?.amountMinor], [signedUp.customerId, 15_000n, 500n]);
  const reservationId = await until("the recorded reservation", async () => {
    const [row] = await query(`select reservation_id from payment.payments where payment_id = $1`, [id]);
    return (row?.reservation_id as string | null) ?? undefined;
  });
  assert.is(reservationId, "res_main_1");
  const groups = await query(`select group_name, topic from bus.subscriptions`);
  assert.equal(groups, [{ group_name: "payment-reservations", topic: "payment.payments" }]);
  // The card number in any form; not "4242" alone, which a random trace or request id can hold.
  const cardIn = (l: string) => l.replace(/%2B|%20|[\s+-]/gi, "").includes("4242424242424242");
  assert.not.ok(payment.lines.some(cardIn), "no card number in the logs");
});

test("SIGTERM: the process logs stopped and exits 0", async () => {
  payment.child.kill("SIGTERM");
  assert.is(await payment.exited, 0, payment.stderr());
  assert.ok(payment.lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === "stopped"));
});

test("a bad setting stops the process with a message naming the variable", async () => {
  const bad = startPayment({ PAYMENT_PORT: String(await freePort()), PAYMENT_EXPIRE_MS: "soon" });
  assert.is.not(await bad.exited, 0);
  assert.match(bad.stderr(), /PAYMENT_EXPIRE_MS/);
});

test("in production the development quote secret is refused, by name; a return origin that is not a URL too", async () => {
  const prod = startPayment({ PAYMENT_PORT: String(await freePort()), ITINERA_ENV: "production", QUOTE_SECRET: "itinera-development-quote-secret" });
  assert.is.not(await prod.exited, 0);
  assert.match(prod.stderr(), /QUOTE_SECRET is the development default/);
  const origins = startPayment({ PAYMENT_PORT: String(await freePort()), PAYMENT_RETURN_ORIGINS: "not a url" });
  assert.is.not(await origins.exited, 0);
  assert.match(origins.stderr(), /PAYMENT_RETURN_ORIGINS/);
});

test.run();
