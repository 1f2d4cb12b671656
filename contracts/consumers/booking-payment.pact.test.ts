// booking → payment: the card refunds booking's settlement consumer
// (services/booking/settlement.ts) sends to PaymentService.Refund, written by
// running it on booking's own store (booking-harness.ts) with payment over
// Connect JSON against Pact's mock server.
//
// Two refunds are booking's: the whole card amount of a reservation that
// FAILED because the wallet refused its markdown ("refund:fail:<rid>", the
// key sellers uses for a seller's refusal, so the card is never refunded
// twice), and what the cancellation policy gives back of a cancelled one
// ("refund:cancel:<rid>", here a confirmed stay less its fee). Both carry
// booking's service token (Refund is for services only). The payment id is
// payment's: the state authorises a payment and the verifier sends its id.
// Booking reads nothing of the answer and handles no error code: a success
// lets the consumer mark the event settled, any failure is retried by the
// bus (then dead-lettered, where operators see it).
import type { JsonObject } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { bookingFixture, createRequest, type BookingFixture } from "../../services/booking/fixture.js";
import { reservationIdOf } from "../../services/booking/ids.js";
import { connectRequest, connectResponse, consumerPact, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { settle } from "./booking-harness.js";
import { overWire } from "./calls.js";

const { fromProviderState, like, regex } = Matchers;
let pact: ConsumerPact;
let f: BookingFixture;

const PAYMENT_ID_EXAMPLE = "pay_6f1c2a9e0b4d4c7a8e3f5d2b1a0c9e8f";
/** Payment ids as payment makes them ("pay_" and 32 hex digits), one per test: reservation ids derive from them. */
const paymentId = (n: number) => `pay_${(0xb0 + n).toString(16).padStart(32, "0")}`;

/** Refund as booking sends it: the key's form, the payment from the state, the amount and reason as they are. */
const refundTemplate = (prefix: string) => (json: JsonObject) => ({
  ...json,
  idempotencyKey: regex(new RegExp(`^refund:${prefix}:res_[a-z2-7]{26}$`), String(json.idempotencyKey)),
  paymentId: fromProviderState("${paymentId}", PAYMENT_ID_EXAMPLE),
  reason: like(String(json.reason)),
});

/** The refunds that reached the fake payment for this reservation (none when the wire answered and the inbox took it). */
const fakeRefunds = (rid: string) => f.payment.calls.filter((c) => c.key.endsWith(`:${rid}`)).length;

test.before(async () => {
  pact = await consumerPact("booking", "payment");
  f = await bookingFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("a reservation FAILED because the wallet refused its markdown: the whole card amount back", async () => {
  // Nothing in the (fake) wallet: the markdown hold is refused at creation.
  const req = createRequest({ paymentId: paymentId(1), customerId: "c-51", amountMinor: 25_000n, markdownMinor: 9_000n });
  const rid = reservationIdOf(req.paymentId);
  const { reservation } = await f.client.createReservation(f.serviceCtx("payment"), req);
  assert.is(reservation?.refunded?.amountMinor, 25_000n, "FAILED by the wallet, owing the whole card amount");
  await pact
    .interaction()
    .given("a payment is authorised", { customerId: "c-51", amountMinor: "25000", currency: "EUR" })
    .uponReceiving("a refund of a reservation the wallet refused")
    .withRequest(
      ...withBearer(
        connectRequest(
          PaymentService.method.refund,
          { idempotencyKey: `refund:fail:${rid}`, paymentId: req.paymentId, amount: { amountMinor: 25_000n, currency: "EUR" }, reason: "wallet no longer covers the discount" },
          refundTemplate("fail"),
        ),
      ),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => settle(f, rid, { payment: { refund: overWire(PaymentService, mock.url).refund } }));
  await settle(f, rid, {});
  assert.is(fakeRefunds(rid), 0, "settled: the redelivery refunded nothing more");
});

test("a confirmed stay cancelled by its customer: the card amount less the fee back", async () => {
  const req = createRequest({ paymentId: paymentId(2), customerId: "c-52", amountMinor: 30_000n });
  const rid = reservationIdOf(req.paymentId);
  await f.client.createReservation(f.serviceCtx("payment"), req);
  await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId: rid, sellerReference: "CASA-000001" });
  const { reservation } = await f.client.cancelReservation(f.customer("c-52"), { reservationId: rid });
  assert.is(reservation?.refunded?.amountMinor, 27_500n, "EUR 25.00 of fee");
  await pact
    .interaction()
    .given("a payment is authorised", { customerId: "c-52", amountMinor: "30000", currency: "EUR" })
    .uponReceiving("a refund of a cancelled reservation, less the fee")
    .withRequest(
      ...withBearer(
        connectRequest(
          PaymentService.method.refund,
          { idempotencyKey: `refund:cancel:${rid}`, paymentId: req.paymentId, amount: { amountMinor: 27_500n, currency: "EUR" }, reason: "cancelled by the customer" },
          refundTemplate("cancel"),
        ),
      ),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => settle(f, rid, { payment: { refund: overWire(PaymentService, mock.url).refund } }));
  await settle(f, rid, {});
  assert.is(fakeRefunds(rid), 0, "settled: the redelivery refunded nothing more");
});

test("the pact is the committed contracts/pacts/booking-payment.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
