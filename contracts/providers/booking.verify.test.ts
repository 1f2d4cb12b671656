// Booking against every committed pact that names it (payment's
// CreateReservation, sellers' ConfirmReservation, FailReservation and
// GetReservation, the web BFF's ListReservations, GetReservation, QuoteCancellation,
// CancelReservation and, for an operator, CountReservationsByState): the real server, wired as services/booking/main.ts
// wires it (serverStack, bearer-token authentication) on its own PostgreSQL
// database, with booking's own peer, the wallet, a fake
// (services/booking/fakes.fixture.ts; booking → wallet has its own pact)
// whose balances the states set.
//
// States go through booking itself: CreateReservation as payment would call
// it, ConfirmReservation as sellers would, CancelReservation as the
// customer. Reservation ids are booking's (derived from payment ids): each
// state answers the id it made, or the fresh payment id it chose, and the
// verifier sends it in place of the pact's example. These methods are for services only: the verifier sends a
// service token testTokens signed, which the server's authenticate accepts;
// the web BFF's calls carry its customer's own token, which the state signs
// for its customer and answers.
//
// And the check that verification can fail: the same booking, except that
// CreateReservation leaves reservation.reservation_id out, must not pass
// payment's pact.
import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Service } from "../../endpoints/service.js";
import { BookingService, ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { bookingFixture, createRequest, hotelItem, type BookingFixture } from "../../services/booking/fixture.js";
import { bookingValidators } from "../../services/booking/validators.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";

let f: BookingFixture;
let tokens: TestTokens;
const servers: ProviderServer[] = [];

/** A booking server exactly as main.ts builds one, around `booking`. */
async function serveBooking(booking: Service<typeof BookingService>): Promise<ProviderServer> {
  const server = await startProvider(BookingService, booking, { validators: bookingValidators(), ready: f.db.ready, authenticate: tokens.authenticate });
  servers.push(server);
  return server;
}

/** A payment id booking has never seen, as payment makes them. */
const freshPaymentId = () => `pay_${randomBytes(16).toString("hex")}`;

function euros(params: StateParams): bigint {
  if (stringParam(params, "currency") !== "EUR") throw new Error(`booking takes EUR only, not ${stringParam(params, "currency")}`);
  return BigInt(stringParam(params, "amountMinor"));
}

/** A PAID hotel stay of the state's customer and seller, made as payment makes them. */
async function paidReservation(params: StateParams): Promise<string> {
  const req = createRequest({
    paymentId: freshPaymentId(),
    customerId: stringParam(params, "customerId"),
    item: hotelItem({ sellerId: stringParam(params, "sellerId") }),
    amountMinor: euros(params),
    markdownMinor: 0n,
  });
  const { reservation } = await f.client.createReservation(f.serviceCtx("payment"), req);
  if (reservation?.state !== ReservationState.PAID) throw new Error(`the reservation of ${req.paymentId} is not PAID but ${reservation?.state}`);
  return reservation.reservationId;
}

/** A token of the state's customer, for the calls a BFF makes on their behalf (withCustomerBearer). */
const customerToken = async (params: StateParams) => (await tokens.customer(stringParam(params, "customerId"))).token!;

/** The states booking's consumers name, set up through booking itself. */
const bookingStates = (): ProviderStates => ({
  async "an authorised payment has no reservation yet"(params) {
    const customerId = stringParam(params, "customerId");
    const markdown = BigInt(stringParam(params, "markdownMinor"));
    const paymentId = freshPaymentId();
    if (await f.store.byPaymentId(paymentId)) throw new Error(`payment ${paymentId} already has a reservation`);
    // The wallet (a fake here) covers the markdown the payment carries.
    f.wallet.setBalance(customerId, f.wallet.balance(customerId) + markdown);
    return { paymentId };
  },
  async "a reservation is PAID"(params) {
    return { reservationId: await paidReservation(params), customerToken: await customerToken(params) };
  },
  async "a reservation is CONFIRMED"(params) {
    const reservationId = await paidReservation(params);
    const { reservation } = await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId, sellerReference: "CASA-PACT-1" });
    if (reservation?.state !== ReservationState.CONFIRMED) throw new Error(`reservation ${reservationId} is not CONFIRMED but ${reservation?.state}`);
    return { reservationId, customerToken: await customerToken(params) };
  },
  // The Operator page's chart: the BFF forwards the person's own token, one with the operator role.
  async "a person with the operator role is signed in"(params) {
    return { customerToken: (await tokens.operator(stringParam(params, "customerId"))).token! };
  },
  async "a reservation was cancelled by its customer"(params) {
    const reservationId = await paidReservation(params);
    const { reservation } = await f.client.cancelReservation(f.customer(stringParam(params, "customerId")), { reservationId });
    if (reservation?.state !== ReservationState.CANCELLED) throw new Error(`reservation ${reservationId} is not CANCELLED but ${reservation?.state}`);
    return { reservationId };
  },
});

test.before(async () => {
  f = await bookingFixture();
  tokens = await testTokens();
});
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await f?.close();
});

test("the real booking satisfies every pact that names it", async () => {
  const server = await serveBooking(f.service);
  const bearerTokens = { payment: (await tokens.service("payment")).token!, sellers: (await tokens.service("sellers")).token! };
  const result = await verifyProvider("booking", server.url, bookingStates(), { bearerTokens });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["payment-booking.json", "sellers-booking.json", "web-booking.json"],
  );
  assert.ok(result.interactions >= 10, `${result.interactions} interactions`);
  // The calls took effect in booking: payment's two reservations, sellers' confirmation and failure
  // (the seller references of the states' confirmations are not theirs).
  const events = (await f.events()).filter((e) => e.reservation.sellerReference !== "CASA-PACT-1");
  assert.equal(
    events.map((e) => e.kind).filter((k) => k !== "paid" && k !== "cancelled").sort(),
    ["confirmed", "failed"],
  );
  // And the web BFF's cancellation: c-102's confirmed stay, less the fee.
  const cancelled = (await f.events()).filter((e) => e.kind === "cancelled" && e.reservation.customerId === "c-102");
  assert.equal(cancelled.map((e) => e.reservation.refunded?.amountMinor), [27_500n]);
  assert.equal(f.wallet.effects().filter((k) => k.startsWith("hold:")).length, 1, "the hotel stay's markdown was held");
});

test("a booking whose CreateReservation leaves reservation.reservation_id out fails payment's pact", async () => {
  const server = await serveBooking({
    ...f.service,
    async createReservation(ctx, req) {
      const { reservation } = await f.service.createReservation(ctx, req);
      return { reservation: { ...reservation, reservationId: "" } };
    },
  });
  const { token } = await tokens.service("payment");
  const failure = await verifyProvider("booking", server.url, bookingStates(), {
    pactFiles: [`${PACTS_DIR}payment-booking.json`],
    bearerTokens: { payment: token! },
  }).then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  assert.ok(failure, "verification passed against a booking without reservation.reservation_id");
  assert.match(failure.message, "a reservation for an authorised hotel stay with a wallet markdown");
  assert.match(failure.message, "$.reservation: Actual map is missing the following keys: reservationId");
});

test.run();
