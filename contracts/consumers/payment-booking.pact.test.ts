// payment → booking: what payment's reservation consumer
// (services/payment/reservations.ts, group "payment-reservations") sends to
// BookingService.CreateReservation and reads back, written by running that
// consumer on payment's own store — a payment made and authorised through
// payment's real service and gateway callback, its PaymentAuthorised event
// read from the bus — with booking over Connect JSON against Pact's mock.
//
// The request is the contract: the payment's id, customer, item, card amount
// and wallet markdown, each in the form booking validates, with payment's
// service token (CreateReservation is for services only). The payment id is
// payment's own, random: booking's state names a payment it has no
// reservation for, and the verifier sends that one. Payment reads only
// reservation.reservation_id, which it records in the payment with the
// message in its inbox. Payment handles no error code in particular: any
// failure is retried by the bus, so the pact names none.
import { fromBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Principal } from "../../endpoints/context.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentEventSchema, type PaymentEvent } from "../../gen/itinera/payment/v1/events_pb.js";
import { signedCallback } from "../../services/payment/fake-gateway.fixture.js";
import { paymentFixture, TEST_GATEWAY_SECRET, type PaymentFixture } from "../../services/payment/fixture.js";
import { flightPayment, hotelPayment } from "../../services/payment/payments.fixture.js";
import { RESERVATIONS_GROUP, reservationHandler } from "../../services/payment/reservations.js";
import { connectRequest, connectResponse, consumerPact, int64String, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { ctx, overWire } from "./calls.js";
import { topicOf } from "../../endpoints/bus.js";

const { fromProviderState, integer, like, regex } = Matchers;
let pact: ConsumerPact;
let f: PaymentFixture;

/** Payment's own principal, as identityAccess(...).tokens.principal gives it in main.ts. */
const PAYMENT: Principal = { kind: "service", id: "payment", roles: [], token: "payment-service-token" };
const CUSTOMER = "c-41";
/** An example of payment's ids (the real ones are random). */
const PAYMENT_ID_EXAMPLE = "pay_6f1c2a9e0b4d4c7a8e3f5d2b1a0c9e8f";
const RESERVATION_ID_EXAMPLE = "res_m3xq7kz2b4tyf5wn6pj2ahdc4e";

const str = (v: JsonValue | undefined) => String(v);
const obj = (v: JsonValue | undefined) => v as JsonObject;
const dateTemplate = (d: JsonValue | undefined) => ({ year: integer(Number(obj(d).year)), month: integer(Number(obj(d).month)), day: integer(Number(obj(d).day)) });

/** Every field of the item, in the form booking validates; examples from payment's request. */
function itemTemplate(item: JsonObject) {
  const stay = item.hotelStay === undefined ? undefined : obj(item.hotelStay);
  const trip = item.flightTrip === undefined ? undefined : obj(item.flightTrip);
  return {
    sellerId: regex(/^[a-z][a-z0-9-]*$/, str(item.sellerId)),
    title: like(str(item.title)),
    ...(stay && {
      hotelStay: {
        hotelId: like(str(stay.hotelId)),
        roomId: like(str(stay.roomId)),
        checkIn: dateTemplate(stay.checkIn),
        checkOut: dateTemplate(stay.checkOut),
        starRating: integer(Number(stay.starRating)),
      },
    }),
    ...(trip && {
      flightTrip: {
        outboundFlightId: regex(/^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/, str(trip.outboundFlightId)),
        // The route, as search quoted it.
        origin: regex(/^[A-Z]{3}$/, str(trip.origin)),
        destination: regex(/^[A-Z]{3}$/, str(trip.destination)),
      },
    }),
  };
}

/** CreateReservation as payment sends it: its payment id from booking's state, the rest as payment has it. */
function createTemplate(json: JsonObject) {
  const markdown = obj(json.markdown);
  return {
    paymentId: fromProviderState("${paymentId}", PAYMENT_ID_EXAMPLE),
    customerId: str(json.customerId),
    item: itemTemplate(obj(json.item)),
    amount: { amountMinor: int64String(str(obj(json.amount).amountMinor)), currency: "EUR" },
    // Zero is left out: a payment without markdown sends only the currency.
    markdown: markdown.amountMinor === undefined ? { currency: "EUR" } : { amountMinor: int64String(str(markdown.amountMinor)), currency: "EUR" },
  };
}

let keys = 0;
let messages = 0n;

/** A payment made by CUSTOMER and authorised by the gateway's callback; its PaymentAuthorised as published. */
async function authorised(req: ReturnType<typeof hotelPayment> | ReturnType<typeof flightPayment>) {
  const { payment } = await f.client.makePayment(f.as(CUSTOMER), { ...req, idempotencyKey: `pact-${++keys}` });
  const id = payment!.paymentId;
  await f.callbacks.receive(ctx, signedCallback(TEST_GATEWAY_SECRET, f.gateway.decide(id, "authorised")));
  const rows = await f.database.knex.raw<{ rows: { payload: Buffer }[] }>(`select payload from bus.messages where topic = ? and key = ?`, [topicOf(PaymentEventSchema).name, id]);
  const event: PaymentEvent | undefined = rows.rows.map((r) => fromBinary(PaymentEventSchema, r.payload)).find((e) => e.event.case === "authorised");
  if (!event) throw new Error(`payment ${id} published no PaymentAuthorised`);
  const meta = { messageId: ++messages, topic: topicOf(PaymentEventSchema).name, key: id, group: RESERVATIONS_GROUP, attempt: 1, publishedAt: new Date() };
  return { id, event, meta };
}

/** What payment's consumer sends for that payment: its request, serialised as Connect does. */
function requestOf(event: PaymentEvent) {
  const p = event.event.case === "authorised" ? event.event.value.payment! : undefined;
  if (!p) throw new Error("not a PaymentAuthorised");
  return { paymentId: p.paymentId, customerId: p.customerId, item: p.item!, amount: p.amount!, ...(p.markdown ? { markdown: p.markdown } : {}) };
}

/** The reservation id payment recorded in the payment. */
const recorded = async (paymentId: string) =>
  ((await f.database.knex("payments").where({ payment_id: paymentId }).first()) as { reservation_id: string | null }).reservation_id;

test.before(async () => {
  pact = await consumerPact("payment", "booking");
  f = await paymentFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("an authorised hotel stay with a wallet markdown: payment records the reservation booking made", async () => {
  const { id, event, meta } = await authorised(hotelPayment(CUSTOMER, "", 27_000n, 3_000n));
  await pact
    .interaction()
    .given("an authorised payment has no reservation yet", { customerId: CUSTOMER, markdownMinor: "3000", currency: "EUR" })
    .uponReceiving("a reservation for an authorised hotel stay with a wallet markdown")
    .withRequest(...withBearer(connectRequest(BookingService.method.createReservation, requestOf(event), createTemplate)))
    .willRespondWith(...connectResponse({ reservation: { reservationId: like(RESERVATION_ID_EXAMPLE) } }))
    .executeTest((mock) => reservationHandler({ store: f.store, booking: overWire(BookingService, mock.url), principal: async () => PAYMENT })(ctx, event, meta));
  assert.is(await recorded(id), RESERVATION_ID_EXAMPLE);
});

test("an authorised flight without markdown: the same call, the markdown's zero left out", async () => {
  const { id, event, meta } = await authorised(flightPayment(CUSTOMER, "", 8_800n));
  await pact
    .interaction()
    .given("an authorised payment has no reservation yet", { customerId: CUSTOMER, markdownMinor: "0", currency: "EUR" })
    .uponReceiving("a reservation for an authorised flight without markdown")
    .withRequest(...withBearer(connectRequest(BookingService.method.createReservation, requestOf(event), createTemplate)))
    .willRespondWith(...connectResponse({ reservation: { reservationId: like(RESERVATION_ID_EXAMPLE) } }))
    .executeTest((mock) => reservationHandler({ store: f.store, booking: overWire(BookingService, mock.url), principal: async () => PAYMENT })(ctx, event, meta));
  assert.is(await recorded(id), RESERVATION_ID_EXAMPLE);
});

test("the pact is the committed contracts/pacts/payment-booking.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
