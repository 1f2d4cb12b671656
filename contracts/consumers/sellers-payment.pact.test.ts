// sellers → payment: the card refund sellers' saga step
// (services/sellers/bookings.ts) makes when the seller refuses a reservation
// (or stays down past the deadline), before failing it with booking —
// written by running that handler (sellers-saga.ts) with payment over
// Connect JSON against Pact's mock server.
//
// Refund carries sellers' service token and the key "refund:fail:<rid>"
// (the one booking's settlement uses too, so the card is refunded once), the
// reservation's payment and its whole card amount. The payment is payment's:
// the state authorises one and the verifier sends its id. Sellers reads
// nothing of the answer; it handles FAILED_PRECONDITION (nothing left to
// refund, e.g. the customer cancelled meanwhile): it fails the reservation
// saying nothing was refunded, and booking's settlement refunds what is owed.
import type { JsonObject } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { bookingsFixture, type BookingsFixture } from "../../services/sellers/bookings.fixture.js";
import { connectError, connectRequest, connectResponse, consumerPact, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { bookWithSeller, paidStay } from "./sellers-saga.js";

const { fromProviderState, like, regex } = Matchers;
let pact: ConsumerPact;
let f: BookingsFixture;

const PAYMENT_ID_EXAMPLE = "pay_6f1c2a9e0b4d4c7a8e3f5d2b1a0c9e8f";
const paymentState = { customerId: "c-71", amountMinor: "31500", currency: "EUR" };

/** Refund as sellers sends it for a refused reservation. */
const refundRequest = (r: Reservation) =>
  withBearer(
    connectRequest(
      PaymentService.method.refund,
      { idempotencyKey: `refund:fail:${r.reservationId}`, paymentId: r.paymentId, amount: r.amount!, reason: "seller refused the booking" },
      (json: JsonObject) => ({
        ...json,
        idempotencyKey: regex(/^refund:fail:res_[a-z2-7]{26}$/, String(json.idempotencyKey)),
        paymentId: fromProviderState("${paymentId}", PAYMENT_ID_EXAMPLE),
        reason: like(String(json.reason)),
      }),
    ),
  );

const refundOver = (url: string) => ({ payment: { refund: overWire(PaymentService, url).refund } });

/** Casa's fake refuses this reservation. */
const refused = (r: Reservation) => (f.sellers.casa.ledger.refuse = (ref) => (ref === r.reservationId ? "No rooms left for these dates." : undefined));

/** What sellers told booking it refunded (FailReservation, in memory). */
function refundedInFail(r: Reservation): unknown {
  const fail = f.peers.of(r.reservationId).find(([method]) => method === "failReservation");
  const refunded = fail?.[1].refunded as { amountMinor: bigint; currency: string } | undefined;
  return refunded && [refunded.amountMinor, refunded.currency];
}

test.before(async () => {
  pact = await consumerPact("sellers", "payment");
  f = await bookingsFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("the seller refused: the whole card amount refunded, then the reservation failed saying so", async () => {
  const r = paidStay(11, "c-71");
  refused(r);
  const outcome = await pact
    .interaction()
    .given("a payment is authorised", paymentState)
    .uponReceiving("a refund of a reservation the seller refused")
    .withRequest(...refundRequest(r))
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => bookWithSeller(f, r, refundOver(mock.url)));
  assert.is(outcome, "failed");
  assert.equal(refundedInFail(r), [31_500n, "EUR"]);
});

test("nothing left to refund (FAILED_PRECONDITION): the reservation failed saying nothing was refunded", async () => {
  const r = paidStay(12, "c-71");
  refused(r);
  const outcome = await pact
    .interaction()
    .given("a payment was refunded in full", paymentState)
    .uponReceiving("a refund of a payment with nothing left to refund")
    .withRequest(...refundRequest(r))
    .willRespondWith(...connectError(Code.FailedPrecondition))
    .executeTest((mock) => bookWithSeller(f, r, refundOver(mock.url)));
  assert.is(outcome, "failed");
  assert.equal(refundedInFail(r), [0n, "EUR"]);
});

test("the pact is the committed contracts/pacts/sellers-payment.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
