// Booking as a real process: `node --import tsx services/booking/main.ts` on
// a free port and a fresh database, with a real identity server in this test
// process as IDENTITY_URL and fake wallet and payment servers (which verify
// the tokens they get against the same identity). It becomes ready; a
// payment service token creates a reservation whose markdown booking holds
// with ITS OWN service token; the customer cancels it and the settlement
// consumer in the process releases the hold and refunds the card, as
// booking; a call without a token is 401; SIGTERM stops it with exit 0; a
// bad setting stops it with a message naming the variable.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { endpointsOf } from "../../endpoints/service.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "../identity/fixture.js";
import { JWKS_PATH } from "../identity/jwks-route.js";
import { bearerAuthenticator, tokenVerifier } from "../identity/verifier.js";
import { fakePayment, fakeWallet } from "./fakes.fixture.js";

const log = pino({ level: "silent" });
const BOOKING = "/itinera.booking.v1.BookingService";
let identity: IdentityFixture;
let identityServer: RunningServer;
let peers: RunningServer;
let db: TestDatabase;
let booking: TestProcess;
let url: string;
const wallet = fakeWallet();
const payment = fakePayment();
let asPayment: Record<string, string>;
let asCustomer: Record<string, string>;
let customerId: string;

async function post(method: string, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${BOOKING}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    IDENTITY_URL: identityServer.url,
    SERVICE_SECRET: testServiceSecret("booking"),
    WALLET_URL: peers.url,
    PAYMENT_URL: peers.url,
    LOG_LEVEL: "info",
    ...extra,
  };
}

test.before(async () => {
  identity = await identityFixture();
  identityServer = await serveIdentity(identity);
  const ids = clientOf(IdentityService, connectTransport(identityServer.url));
  const ctx = backgroundContext({ log });
  asPayment = { authorization: `Bearer ${(await ids.issueServiceToken(ctx, { serviceName: "payment", secret: testServiceSecret("payment") })).accessToken}` };
  const signedUp = await identity.signedUp("traveller@example.com", "a long enough password", "Traveller");
  asCustomer = { authorization: `Bearer ${signedUp.tokens.accessToken}` };
  customerId = signedUp.customerId;
  wallet.setBalance(customerId, 10_000n);

  // wallet and payment on one port, knowing who calls them from identity's keys
  const authenticate = bearerAuthenticator(tokenVerifier({ jwksUrl: new URL(JWKS_PATH, identityServer.url) }));
  peers = await startServer({
    port: 0,
    log,
    routes: (router) => {
      serveService(router, WalletService, endpointsOf(WalletService, wallet.service), { log, authenticate });
      serveService(router, PaymentService, endpointsOf(PaymentService, payment.service), { log, authenticate });
    },
  });

  db = await testDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  booking = startProcess("services/booking/main.ts", env({ BOOKING_PORT: String(port) }));
  await until(
    "200 from /readyz",
    async () => {
      if (booking.child.exitCode !== null) throw new Error(`booking exited with ${booking.child.exitCode}: ${booking.stderr()}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
    },
    30_000,
  );
});
test.after(async () => {
  try {
    await booking?.kill();
  } finally {
    await db?.drop();
    await peers?.close(5_000);
    await identityServer?.close(5_000);
    await identity?.close();
  }
});

const stay = {
  sellerId: "casa",
  title: "Hotel Aurora, Lisbon — Double room, 2 nights",
  hotelStay: { hotelId: "h-1", roomId: "r-1", checkIn: { year: 2026, month: 12, day: 1 }, checkOut: { year: 2026, month: 12, day: 3 }, starRating: 3 },
};

test("payment creates a reservation; booking holds the markdown with its own service token", async () => {
  const created = await post(
    "CreateReservation",
    { paymentId: "pay_main_1", customerId, item: stay, amount: { amountMinor: "20000", currency: "EUR" }, markdown: { amountMinor: "1500", currency: "EUR" } },
    asPayment,
  );
  assert.is(created.status, 200, JSON.stringify(created.body));
  const reservation = created.body.reservation as { reservationId: string; state: string };
  assert.is(reservation.state, "RESERVATION_STATE_PAID");
  const hold = wallet.calls.find((c) => c.method === "Hold")!;
  assert.is(hold.key, `hold:${reservation.reservationId}`);
  assert.equal([hold.principal?.kind, hold.principal?.id], ["service", "booking"], "booking's token, not payment's");
  assert.is(wallet.balance(customerId), 8_500n);
});

test("the customer cancels; the settlement consumer releases the hold and refunds the card, as booking", async () => {
  const { body } = await post("ListReservations", {}, asCustomer);
  const [reservation] = body.reservations as { reservationId: string }[];
  const cancelled = await post("CancelReservation", { reservationId: reservation!.reservationId }, asCustomer);
  assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.is((cancelled.body.reservation as { state: string }).state, "RESERVATION_STATE_CANCELLED");
  const refund = await until("the card refund", () => payment.refunds()[0], 15_000);
  assert.equal([refund.key, refund.paymentId, refund.amountMinor], [`refund:cancel:${reservation!.reservationId}`, "pay_main_1", 20_000n]);
  assert.equal(wallet.effects(), [`hold:${reservation!.reservationId}`, `release:${reservation!.reservationId}`]);
  assert.is(wallet.balance(customerId), 10_000n);
  for (const call of [...wallet.calls, ...payment.calls]) assert.equal([call.principal?.kind, call.principal?.id], ["service", "booking"]);
});

test("without a token a customer's method is 401; a customer creating a reservation is 403", async () => {
  const anonymous = await post("ListReservations", {});
  assert.is(anonymous.status, 401);
  assert.is(anonymous.body.code, "unauthenticated");
  const customer = await post("CreateReservation", { paymentId: "pay_x" }, asCustomer);
  assert.is(customer.status, 403);
});

test("SIGTERM: logs shutting down then stopped, exits 0", async () => {
  booking.child.kill("SIGTERM");
  assert.is(await booking.exited, 0, booking.stderr());
  const messages = booking.lines.map((l) => (JSON.parse(l) as { msg?: string }).msg);
  assert.ok(messages.indexOf("shutting down") >= 0 && messages.indexOf("stopped") > messages.indexOf("shutting down"), messages.join(" | "));
});

test("a bad setting stops the process with a message naming the variable", async () => {
  const bad = startProcess("services/booking/main.ts", env({ BOOKING_PORT: String(await freePort()), BOOKING_ROOM_THRESHOLD: "zero" }));
  assert.is.not(await bad.exited, 0);
  assert.match(bad.stderr(), /BOOKING_ROOM_THRESHOLD must be an integer/);
});

test("a bad bus engine or NATS_URL stops the process with a message naming each variable", async () => {
  const bad = startProcess("services/booking/main.ts", env({ BOOKING_PORT: String(await freePort()), BUS: "kafka", NATS_URL: "http://127.0.0.1:4222" }));
  assert.is.not(await bad.exited, 0);
  assert.match(bad.stderr(), /BUS must be one of postgres, nats, got "kafka"/);
  assert.match(bad.stderr(), /NATS_URL must be a comma-separated list of servers/);
});

test.run();
