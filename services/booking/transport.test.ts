// Booking over the wire as main.ts wires it (serverStack, serveService with
// an authenticator, startServer), with tokens from testTokens(): a call
// without a token, with a token signed by a stranger or with an expired one
// is Unauthenticated; a customer cannot create reservations
// (PermissionDenied); a service can, and the customer then reads it over
// Connect and gRPC — and another customer cannot.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Context, type Principal } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { endpointsOf, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { BookingService, ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { BOOKING_PRINCIPAL, bookingFixture, createRequest, failure, type BookingFixture } from "./fixture.js";
import { bookingService } from "./service.js";
import { bookingValidators } from "./validators.js";

const log = pino({ level: "silent" });
let f: BookingFixture;
let tokens: TestTokens;
let tracing: Tracing;
let server: RunningServer;
let connect: Client<typeof BookingService>;
let grpc: Client<typeof BookingService>;

test.before(async () => {
  f = await bookingFixture();
  tokens = await testTokens();
  tracing = createTracing({ serviceName: "booking" });
  const service = bookingService({
    store: f.store,
    bus: f.bus,
    wallet: f.wallet.client,
    servicePrincipal: async () => BOOKING_PRINCIPAL,
    pageTokenSecret: "transport-test",
  });
  const endpoints = endpointsOf(
    BookingService,
    service,
    ...serverStack({ registry: new Registry(), tracer: tracing.tracer, validators: bookingValidators() }),
  );
  server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, BookingService, endpoints, { log, authenticate: tokens.authenticate }),
    authenticate: tokens.authenticate,
  });
  connect = clientOf(BookingService, connectTransport(server.url));
  grpc = clientOf(BookingService, grpcTransport(server.url));
});
test.after(async () => {
  await server?.close(5_000);
  await tracing?.shutdown();
  await f?.close();
});

const as = (principal?: Principal): Context => backgroundContext({ log, ...(principal ? { principal } : {}) });
const withToken = (token: string) => as({ kind: "customer", id: "whoever", roles: [], token });

test("no token, a stranger's signature or an expired token: Unauthenticated, over Connect and gRPC", async () => {
  const expired = await tokens.customer("ada", -60);
  const cases: [string, Context][] = [
    ["no token", as()],
    ["a stranger's signature", withToken(await tokens.foreignToken("ada"))],
    ["an expired token", as(expired)],
    ["not a JWT at all", withToken("not-a-token")],
  ];
  for (const [what, ctx] of cases) {
    for (const client of [connect, grpc]) {
      const e = await failure(client.listReservations(ctx, {}));
      assert.is(e.code, Code.Unauthenticated, what);
    }
  }
  const e = await failure(connect.createReservation(as(), createRequest()));
  assert.is(e.code, Code.Unauthenticated);
  assert.is((await f.counts()).reservations, 0, "nothing written");
});

test("a customer cannot create a reservation (PermissionDenied) and writes nothing", async () => {
  const e = await failure(connect.createReservation(as(await tokens.customer("ada")), createRequest({ customerId: "ada" })));
  assert.is(e.code, Code.PermissionDenied);
  assert.is((await f.counts()).reservations, 0);
});

test("a service creates; the customer reads and lists it; another customer gets NOT_FOUND; bad input names its field", async () => {
  const payment = as(await tokens.service("payment"));
  const { reservation } = await grpc.createReservation(payment, createRequest({ customerId: "ada" }));
  assert.is(reservation!.state, ReservationState.PAID);
  const ada = as(await tokens.customer("ada"));
  const got = await connect.getReservation(ada, { reservationId: reservation!.reservationId });
  assert.equal(got.reservation, reservation);
  const listed = await grpc.listReservations(ada, {});
  assert.equal(listed.reservations.map((r) => r.reservationId), [reservation!.reservationId]);
  const bob = as(await tokens.customer("bob"));
  const e = await failure(connect.getReservation(bob, { reservationId: reservation!.reservationId }));
  assert.is(e.code, Code.NotFound);
  const bad = await failure(grpc.createReservation(payment, { ...createRequest(), paymentId: "" }));
  assert.equal([bad.code, bad.violations.map((v) => v.field)], [Code.InvalidArgument, ["payment_id"]]);
});

test("sellers confirms over the wire with its service token; a customer cannot", async () => {
  const { reservation } = await connect.createReservation(as(await tokens.service("payment")), createRequest({ customerId: "cy" }));
  const denied = await failure(connect.confirmReservation(as(await tokens.customer("cy")), { reservationId: reservation!.reservationId, sellerReference: "X" }));
  assert.is(denied.code, Code.PermissionDenied);
  const { reservation: r } = await grpc.confirmReservation(as(await tokens.service("sellers")), { reservationId: reservation!.reservationId, sellerReference: "SK1" });
  assert.is(r!.state, ReservationState.CONFIRMED);
});

test.run();
