// One trace across the bus: every process of the marketplace exports its
// spans to an in-repo OTLP/HTTP receiver; a customer books through the BFF's
// StartBooking and pays at the gateway's card page; once the mailer sent the
// confirmation, the spans of that booking form ONE trace rooted at the BFF's
// StartBooking — payment, each publish (PRODUCER) and its deliveries
// (CONSUMER: booking's settlement, sellers', the mailer's), booking's RPCs,
// the mailer's SMTP send — each span's parent in the trace, no other root.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { WebService } from "../gen/itinera/web/v1/web_pb.js";
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../platform/otlp-receiver.testing.js";
import { until } from "../platform/processes.testing.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import { CARDS, FINAL_STATES, startMarketplace, type Marketplace } from "./marketplace.fixture.js";

let receiver: OtlpReceiver;
let m: Marketplace;

test.before(async () => {
  receiver = await startOtlpReceiver();
  // Every process records and exports its spans here, in batches a tenth of a second apart.
  m = await startMarketplace({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "100" });
});

test.after(async () => {
  await m?.close();
  await receiver?.close();
});

const START_BOOKING = "itinera.web.v1.WebService/StartBooking";

/** What is still missing from the booking's trace, or undefined when the trace is whole. */
function missingFrom(spans: ReceivedSpan[]): string | undefined {
  const ids = new Set(spans.map((s) => s.spanId));
  const orphans = spans.filter((s) => s.parentSpanId !== "" && !ids.has(s.parentSpanId));
  const roots = spans.filter((s) => s.parentSpanId === "");
  const consumer = (service: string, group: string) =>
    spans.find((s) => s.service === service && s.kind === SPAN_KIND.consumer && s.attributes["messaging.consumer.group.name"] === group);
  const mailer = consumer("mailer", "mailer");
  const wanted: [string, boolean][] = [
    ["booking's settlement consumer", consumer("booking", "booking-settlement") !== undefined],
    ["sellers' consumer", consumer("sellers", "sellers-bookings") !== undefined],
    ["the mailer's consumer", mailer !== undefined],
    ["the mailer's SMTP send", spans.some((s) => s.service === "mailer" && s.name === "smtp send")],
    ["a server span of booking", spans.some((s) => s.service === "booking" && s.kind === SPAN_KIND.server)],
    ["payment's MakePayment", spans.some((s) => s.service === "payment" && s.name === "itinera.payment.v1.PaymentService/MakePayment")],
  ];
  const problems = wanted.filter(([, ok]) => !ok).map(([what]) => what);
  if (orphans.length > 0) problems.push(`the parents of ${orphans.map((s) => `${s.service}:${s.name}`).join(", ")}`);
  if (roots.length !== 1) problems.push(`one root (${roots.length}: ${roots.map((s) => `${s.service}:${s.name}`).join(", ")})`);
  return problems.length > 0 ? problems.join("; ") : undefined;
}

test("a booking is one trace from the BFF's StartBooking to the mailer's e-mail, across the bus", async () => {
  const alice = await m.signUp("alice");
  const [offer] = await m.findStays(alice, 1);
  const web = clientOf(WebService, grpcTransport(m.system.url("web")));
  const started = await web.startBooking(m.ctx(alice.principal), { idempotencyKey: "trace-1", quotes: [offer!.quote!], flexible: false });
  await m.payAtGateway(started.redirectUrl, CARDS.authorises);
  const r = await m.reservationOf(alice, started.paymentId, (x) => FINAL_STATES.includes(x.state));
  assert.is(r.state, ReservationState.CONFIRMED, r.failureReason);
  await until("the confirmation e-mail", async () => ((await m.inbox()).some((x) => x.text.includes(r.reservationId)) ? true : undefined), 60_000);

  const root = await until("the BFF's StartBooking span", () =>
    receiver.spans().find((s) => s.service === "web" && s.name === START_BOOKING && s.kind === SPAN_KIND.server),
  );
  assert.is(root.parentSpanId, "", "StartBooking starts the trace");
  const inTrace = () => receiver.spans().filter((s) => s.traceId === root.traceId);
  let missing: string | undefined;
  await until(
    "the whole trace",
    () => ((missing = missingFrom(inTrace())) === undefined ? true : undefined),
    30_000,
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; missing: ${missing}`);
  });

  const spans = inTrace();
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  // The SMTP send is a child of the mailer's consumer span, which continues what booking published.
  const send = spans.find((s) => s.service === "mailer" && s.name === "smtp send")!;
  const mailerSpan = byId.get(send.parentSpanId)!;
  assert.equal([mailerSpan.kind, mailerSpan.name, mailerSpan.attributes["messaging.consumer.group.name"]], [SPAN_KIND.consumer, "process booking.reservations", "mailer"]);
  const published = byId.get(mailerSpan.parentSpanId)!;
  assert.equal([published.service, published.kind, published.name], ["booking", SPAN_KIND.producer, "send booking.reservations"], "booking published the confirmation");
  // Every delivery's parent is the publish it came from.
  for (const s of spans.filter((x) => x.kind === SPAN_KIND.consumer)) {
    const parent = byId.get(s.parentSpanId)!;
    assert.equal([parent.kind, parent.attributes["messaging.destination.name"]], [SPAN_KIND.producer, s.attributes["messaging.destination.name"]], `${s.service}:${s.name}`);
  }
  for (const s of spans.filter((x) => x.kind === SPAN_KIND.consumer)) {
    assert.equal(
      [s.attributes["messaging.system"], typeof s.attributes["messaging.destination.name"], typeof s.attributes["messaging.message.id"]],
      ["postgresql", "string", "string"],
      `${s.service}:${s.name}`,
    );
  }
  // Every process of the saga took part.
  const services = new Set(spans.map((s) => s.service));
  assert.equal(["booking", "mailer", "payment", "sellers", "web"].filter((s) => !services.has(s)), []);
});

test.run();
