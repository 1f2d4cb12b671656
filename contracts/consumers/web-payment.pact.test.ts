// web → payment: what the BFF's booking and trip pages (services/web/booking.ts
// StartBooking, trips.ts GetTrip, trips-list.ts ListTrips) need from PaymentService, written by
// running the BFF (web-harness.ts) for a signed-in browser with the payment
// method under test over Connect JSON against Pact's mock server.
//
// Both calls carry the CUSTOMER's own token, which the BFF forwards (payment
// answers a customer only their own payments): in the provider's
// verification, the token of the state's customer (withCustomerBearer).
// MakePayment: a key derived from the click's key and the customer ("web:"
// and 43 URL-safe characters), search's quotes as the page sent them, the
// flexible choice, and where the gateway sends the browser back — never an
// amount; the BFF reads the payment's id and the gateway's card page.
// GetPayment: the trip page reads the payment's id, state, item, amount and
// times (an authorised one then looks for its reservation, in memory here).
// ListPayments: My trips asks for the payments that never became a
// reservation (pending, declined, expired) and reads the same, with the
// gateway's decline reason (the reservations are booking's, in memory here).
// ListPendingPayments: the Operator page asks, with the OPERATOR's token, for
// the payments pending too long (payment's default threshold) and reads ids,
// amounts and times — nothing else is there to read.
// Payment ids are payment's: the state answers one, the verifier sends it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { testQuote } from "../../platform/quotes.testing.js";
import { paymentKey } from "../../services/web/booking.js";
import { connectRequest, connectResponse, consumerPact, int64String, Matchers, withCustomerBearer, type ConsumerPact } from "../pact.js";
import { day, overWire } from "./calls.js";
import { PUBLIC_URL, withBff } from "./web-harness.js";

const { eachLike, fromProviderState, integer, like, regex } = Matchers;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const PAYMENT_ID = /^pay_[0-9a-f]{32}$/;
const money = (amountMinor: string) => ({ amountMinor: int64String(amountMinor), currency: "EUR" });
const date = (year: number, month: number, d: number) => ({ year: integer(year), month: integer(month), day: integer(d) });
let pact: ConsumerPact;

const STAY = { checkIn: day("2027-03-10"), checkOut: day("2027-03-13") };
const CLICK = "web-0123456789abcdef0123456789abcdef";
/**
 * Search's quote of the stay for c-91 (the development secret payment trusts
 * here), issued in 2099 so that it is valid whenever the pact is verified;
 * deterministic, so the pact file is stable.
 */
const QUOTE_EXAMPLE = testQuote(
  "c-91",
  {
    sellerId: "casa",
    title: "Hotel Aurora, Lisbon — Double room, 3 nights",
    kind: { case: "hotelStay", value: { hotelId: "h-aurora", roomId: "DBL", ...STAY, starRating: 4 } },
  },
  40_000n,
  10_000n,
  { issued: new Date("2099-01-01T00:00:00Z") },
);

test.before(async () => {
  pact = await consumerPact("web", "payment");
});
test.after(async () => {
  await pact?.close();
});

test("Book: a payment for the customer of search's quote with the flexible option, and the gateway's page", async () => {
  const key = paymentKey("c-91", CLICK);
  const answer = await pact
    .interaction()
    .given("a customer may pay", { customerId: "c-91" })
    .uponReceiving("a customer's payment for a quoted hotel stay with the flexible option, from the web")
    .withRequest(
      ...withCustomerBearer(
        connectRequest(
          PaymentService.method.makePayment,
          { idempotencyKey: key, quotes: [QUOTE_EXAMPLE], flexible: true, returnUrl: `${PUBLIC_URL}/trips/return` },
          (json) => ({ ...json, idempotencyKey: regex(/^web:[A-Za-z0-9_-]{43}$/, key), quotes: [regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, QUOTE_EXAMPLE)] }),
        ),
      ),
    )
    .willRespondWith(
      ...connectResponse({
        payment: { paymentId: regex(PAYMENT_ID, "pay_6f1c2a9e0b4d4c7a8e3f5d2b1a0c9e8f") },
        redirectUrl: regex(/^https?:\/\/\S+$/, "http://gateway.test/pay/gs_6f1c2a9e"),
      }),
    )
    .executeTest((mock) =>
      withBff({ payment: { makePayment: overWire(PaymentService, mock.url).makePayment } }, async (bff) =>
        (await bff.signedIn("c-91")).call("StartBooking", { idempotencyKey: CLICK, quotes: [QUOTE_EXAMPLE], flexible: true }),
      ),
    );
  assert.equal(answer?.body, { paymentId: "pay_6f1c2a9e0b4d4c7a8e3f5d2b1a0c9e8f", redirectUrl: "http://gateway.test/pay/gs_6f1c2a9e" });
});

test("the trip of an authorised payment: paid, what was bought, for how much, since when", async () => {
  const example = "pay_0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  const answer = await pact
    .interaction()
    .given("a payment is authorised", { customerId: "c-92", amountMinor: "25000", currency: "EUR" })
    .uponReceiving("a customer's look at their payment, from the web")
    .withRequest(
      ...withCustomerBearer(
        connectRequest(PaymentService.method.getPayment, { paymentId: example }, () => ({ paymentId: fromProviderState("${paymentId}", example) })),
      ),
    )
    .willRespondWith(
      ...connectResponse({
        payment: {
          paymentId: regex(PAYMENT_ID, example),
          state: "PAYMENT_STATE_AUTHORISED",
          item: {
            title: like("Hotel Aurora, Lisbon — Double room, 3 nights"),
            hotelStay: { hotelId: like("hotel-1"), roomId: like("room-1"), checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 13) },
          },
          amount: money("25000"),
          createTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z"),
          updateTime: regex(RFC3339_UTC, "2027-02-01T10:00:05Z"),
        },
      }),
    )
    .executeTest((mock) =>
      withBff({ payment: { getPayment: overWire(PaymentService, mock.url).getPayment } }, async (bff) =>
        (await bff.signedIn("c-92")).call("GetTrip", { paymentId: example }),
      ),
    );
  const trip = answer?.body.trip;
  assert.equal([trip?.paymentId, trip?.state, trip?.amount?.amountMinor, trip?.createTime], [example, "TRIP_STATE_PAID", "25000", "2027-02-01T10:00:00Z"]);
  assert.is(trip?.item?.title, "Hotel Aurora, Lisbon — Double room, 3 nights");
});

test("My trips: a customer's declined payment, which never became a reservation, with the gateway's reason", async () => {
  const example = "pay_1b2c3d4e5f60718293a4b5c6d7e8f90a";
  const answer = await pact
    .interaction()
    .given("a payment was declined", { customerId: "c-93", amountMinor: "25000", currency: "EUR" })
    .uponReceiving("a customer's payments that never became a reservation, from the web")
    .withRequest(
      ...withCustomerBearer(
        connectRequest(PaymentService.method.listPayments, {
          pageSize: 20,
          states: [PaymentState.PENDING, PaymentState.DECLINED, PaymentState.EXPIRED],
        }),
      ),
    )
    .willRespondWith(
      ...connectResponse({
        payments: [
          {
            paymentId: regex(PAYMENT_ID, example),
            state: "PAYMENT_STATE_DECLINED",
            item: {
              title: like("Hotel Aurora, Lisbon — Double room, 3 nights"),
              hotelStay: { hotelId: like("hotel-1"), roomId: like("room-1"), checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 13) },
            },
            amount: money("25000"),
            declineReason: like("The card was declined by its issuer."),
            createTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z"),
            updateTime: regex(RFC3339_UTC, "2027-02-01T10:00:05Z"),
          },
        ],
      }),
    )
    .executeTest((mock) =>
      withBff({ payment: { listPayments: overWire(PaymentService, mock.url).listPayments } }, async (bff) =>
        (await bff.signedIn("c-93")).call("ListTrips", {}),
      ),
    );
  const trip = answer?.body.trips?.[0];
  assert.equal([trip?.paymentId, trip?.state, trip?.reason], [example, "TRIP_STATE_DECLINED", "The card was declined by its issuer."]);
  assert.is(answer?.body.nextPageToken, undefined, "the only trip: no next page");
});

test("the Operator page's payments pending too long: ids, amounts and times, asked with the operator's own token", async () => {
  const answer = await pact
    .interaction()
    .given("a payment has been pending for an hour", { customerId: "c-93", amountMinor: "25000", currency: "EUR", operatorId: "c-301" })
    .uponReceiving("an operator's look at the payments pending too long, from the web")
    .withRequest(...withCustomerBearer(connectRequest(PaymentService.method.listPendingPayments, { pageSize: 20 })))
    .willRespondWith(
      ...connectResponse({
        payments: eachLike({
          paymentId: regex(PAYMENT_ID, "pay_0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
          customerId: like("c-93"),
          amount: money("25000"),
          createTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z"),
          sessionOpened: like(true),
        }),
        olderThanSeconds: integer(450),
      }),
    )
    .executeTest((mock) =>
      withBff({ payment: { listPendingPayments: overWire(PaymentService, mock.url).listPendingPayments } }, async (bff) =>
        (await bff.signedInOperator("c-301")).call("ListOperatorPendingPayments", { pageSize: 20 }),
      ),
    );
  assert.is(answer?.status, 200, JSON.stringify(answer?.body));
  assert.equal(
    answer?.body.payments.map((p: { paymentId: string; customerId: string }) => [p.paymentId, p.customerId]),
    [["pay_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "c-93"]],
  );
});

test("the pact is the committed contracts/pacts/web-payment.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
