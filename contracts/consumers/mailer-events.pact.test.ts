// mailer ← booking's events: what the mailer's notifier
// (services/mailer/notifier.ts, group "mailer" on "booking.reservations")
// needs of ReservationConfirmed, ReservationFailed and ReservationCancelled,
// written by running the notifier on the message Pact hands over, with the
// fixture of its own tests (services/mailer/fixture.ts): its real store, a
// real SMTP server in-process, a fake identity that knows customer c-0001.
//
// Every e-mail reads the reservation id (its Message-ID and the row that
// makes it one e-mail), the customer id (the address, from identity), the
// item's title and, for a stay, its dates, the currency of the amount and
// create_time. The invoice adds the card amount, the wallet markdown and the
// seller's reference; the apology the failure reason and what was refunded;
// the cancellation the fee and what was refunded. ReservationPaid sends
// nothing, so the mailer describes no paid event.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { CUSTOMER, mailerFixture, type MailerFixture } from "../../services/mailer/fixture.js";
import { MAILER_GROUP, messageIdOf } from "../../services/mailer/notifier.js";
import type { EmailType } from "../../services/mailer/store.js";
import { dateTemplate, delivered, messagePact, timestampString, type MessagePact, type PactMessage } from "../messages.js";
import { Matchers } from "../pact.js";
import { currencyOnly, money, onReservations, reservationId } from "./booking-event-shapes.js";

const { like } = Matchers;

let pact: MessagePact;
let f: MailerFixture;

test.before(async () => {
  pact = await messagePact("mailer", "booking-events");
  f = await mailerFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

/** What every e-mail reads of the reservation: a hotel stay of customer c-0001. */
function reservationTemplate(rid: string) {
  return {
    reservationId: reservationId(rid),
    customerId: like(CUSTOMER.customerId),
    item: {
      title: like("Hotel Aurora, Lisbon — Double room, 3 nights"),
      hotelStay: { checkIn: dateTemplate("2026-12-10"), checkOut: dateTemplate("2026-12-13") },
    },
    createTime: timestampString("2026-11-02T09:30:00Z"),
  };
}

/** The notifier on the message Pact hands over; answers the one e-mail it sent for the reservation. */
async function mailed(kind: EmailType, rid: string, m: PactMessage) {
  const { message, meta } = delivered(ReservationEventSchema, m, MAILER_GROUP);
  await f.notifier(f.ctx, message, meta);
  const sent = f.smtp.deliveries.filter((d) => d.messageId === messageIdOf(kind, rid));
  assert.is(sent.length, 1, `one ${kind} e-mail for ${rid}`);
  assert.equal(sent[0]!.rcptTo, [CUSTOMER.email]);
  assert.match(sent[0]!.text, /Check-in:\s+2026-12-10/);
  assert.match(sent[0]!.text, /Booked on:\s+2026-11-02/);
  return sent[0]!;
}

test("a reservation confirmed by the seller: the invoice, with the card amount, the wallet part and the seller's reference", async () => {
  const rid = "res_confirmedexample";
  const email = await pact
    .interaction()
    .given("a reservation is paid", { customerId: CUSTOMER.customerId, amountMinor: "27000", markdownMinor: "3000" })
    .expectsToReceive("a reservation confirmed by the seller", (m) =>
      m
        .withJSONContent({
          confirmed: {
            reservation: {
              ...reservationTemplate(rid),
              amount: money("27000"),
              markdown: money("3000"),
              sellerReference: like("CASA-7781"),
            },
          },
        })
        .withMetadata(onReservations(rid)),
    )
    .executeTest((m) => mailed("invoice", rid, m));
  assert.is(email?.subject, "Your booking is confirmed: Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.match(email!.text, /Price:\s+EUR 300\.00/);
  assert.match(email!.text, /Paid from your wallet:\s+EUR 30\.00/);
  assert.match(email!.text, /Charged to your card:\s+EUR 270\.00/);
  assert.match(email!.text, /Seller's reference:\s+CASA-7781/);
});

test("a reservation the seller could not book: the apology, with the reason and the refund", async () => {
  const rid = "res_failedexample";
  const email = await pact
    .interaction()
    .given("a reservation is paid", { customerId: CUSTOMER.customerId, amountMinor: "27000", markdownMinor: "0" })
    .expectsToReceive("a reservation the seller could not book", (m) =>
      m
        .withJSONContent({
          failed: {
            reservation: {
              ...reservationTemplate(rid),
              amount: currencyOnly(),
              failureReason: like("The hotel could not confirm your room: No rooms left. Your card payment has been refunded in full."),
              refunded: money("27000"),
            },
          },
        })
        .withMetadata(onReservations(rid)),
    )
    .executeTest((m) => mailed("apology", rid, m));
  assert.is(email?.subject, "We could not book Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.match(email!.text, /The reason: The hotel could not confirm your room: No rooms left\./);
  assert.match(email!.text, /Refunded to your card:\s+EUR 270\.00/);
});

test("a confirmed reservation cancelled by the customer: the cancellation, with the fee kept and the refund", async () => {
  const rid = "res_cancelledexample";
  const email = await pact
    .interaction()
    .given("a reservation is confirmed by the seller", { customerId: CUSTOMER.customerId, amountMinor: "30000" })
    .expectsToReceive("a confirmed reservation cancelled by the customer", (m) =>
      m
        .withJSONContent({
          cancelled: {
            reservation: {
              ...reservationTemplate(rid),
              amount: currencyOnly(),
              cancellationFee: money("2500"),
              refunded: money("27500"),
            },
          },
        })
        .withMetadata(onReservations(rid)),
    )
    .executeTest((m) => mailed("cancellation", rid, m));
  assert.is(email?.subject, "Your booking is cancelled: Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.match(email!.text, /Cancellation fee:\s+EUR 25\.00/);
  assert.match(email!.text, /Refunded to your card:\s+EUR 275\.00/);
  assert.match(email!.text, /We kept a cancellation fee of EUR 25\.00 and refunded EUR 275\.00 to your card\./);
});

test("the pact is the committed contracts/pacts/mailer-booking-events.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
