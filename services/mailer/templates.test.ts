// The three e-mails' content: the right amounts (card, wallet, fee, refund),
// the item's title, dates, the reservation id and the seller's reference, in
// the text and the HTML alike; HTML escaped; nothing of the payment (no card
// number) however the reservation looks.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { reservation } from "./fixture.js";
import { renderEmail } from "./templates.js";

const both = (e: { text: string; html: string }) => [e.text, e.html];

test("invoice: price = card + wallet, the wallet part, the card part, title, stay dates, nights, ids", () => {
  const r = reservation();
  const e = renderEmail("invoice", r, "Ana Lima");
  assert.is(e.subject, "Your booking is confirmed: Hotel Aurora, Lisbon — Double room, 3 nights");
  for (const body of both(e)) {
    for (const expected of [
      "Hello Ana Lima,",
      "Hotel Aurora, Lisbon — Double room, 3 nights",
      "2026-12-10",
      "2026-12-13",
      r.reservationId,
      "CASA-7781",
      "2026-11-02",
      "EUR 300.00",
      "EUR 30.00",
      "EUR 270.00",
    ]) {
      assert.ok(body.includes(expected), `${expected} in ${body}`);
    }
  }
  assert.match(e.text, /Price:\s+EUR 300\.00\n/);
  assert.match(e.text, /Paid from your wallet:\s+EUR 30\.00\n/);
  assert.match(e.text, /Charged to your card:\s+EUR 270\.00\n/);
  assert.match(e.text, /Nights:\s+3\n/);
});

test("invoice without a wallet discount has no wallet line; a flight shows its departures", () => {
  const r = reservation({
    markdown: { amountMinor: 0n, currency: "EUR" },
    item: {
      sellerId: "skylark",
      premium: false,
      title: "Lisbon → Porto, SL123",
      kind: { case: "flightTrip", value: { outboundFlightId: "SL123-2026-12-01", returnFlightId: "SL124-2026-12-05" } },
    },
  });
  const e = renderEmail("invoice", r, "Ana Lima");
  assert.not.ok(e.text.includes("wallet"), e.text);
  assert.match(e.text, /Price:\s+EUR 270\.00\n/);
  assert.match(e.text, /Outbound flight:\s+SL123-2026-12-01\n/);
  assert.match(e.text, /Return flight:\s+SL124-2026-12-05\n/);
});

test("apology: the refund to the card, the released wallet discount, the reason", () => {
  const r = reservation({
    state: ReservationState.FAILED,
    sellerReference: "",
    failureReason: "The hotel has no room left for these dates.",
    refunded: { amountMinor: 27000n, currency: "EUR" },
  });
  const e = renderEmail("apology", r, "Ana Lima");
  assert.is(e.subject, "We could not book Hotel Aurora, Lisbon — Double room, 3 nights");
  for (const body of both(e)) {
    assert.ok(body.includes("We refunded EUR 270.00 to your card"), body);
    assert.ok(body.includes("The wallet discount of EUR 30.00 was released"), body);
    assert.ok(body.includes("The hotel has no room left for these dates."), body);
    assert.ok(body.includes(r.reservationId), body);
  }
  assert.match(e.text, /Refunded to your card:\s+EUR 270\.00\n/);
  assert.match(e.text, /Released to your wallet:\s+EUR 30\.00\n/);
  assert.not.ok(e.text.includes("Seller's reference"), "no reference: the seller never booked it");
});

test("cancellation: the fee kept and the refund; a free one says so", () => {
  const r = reservation({
    state: ReservationState.CANCELLED,
    cancellationFee: { amountMinor: 2500n, currency: "EUR" },
    refunded: { amountMinor: 24500n, currency: "EUR" },
  });
  const e = renderEmail("cancellation", r, "Ana Lima");
  assert.is(e.subject, "Your booking is cancelled: Hotel Aurora, Lisbon — Double room, 3 nights");
  for (const body of both(e)) {
    assert.ok(body.includes("We kept a cancellation fee of EUR 25.00 and refunded EUR 245.00 to your card."), body);
    assert.ok(body.includes("CASA-7781"), body);
  }
  assert.match(e.text, /Cancellation fee:\s+EUR 25\.00\n/);
  assert.match(e.text, /Refunded to your card:\s+EUR 245\.00\n/);

  const free = renderEmail("cancellation", reservation({ refunded: { amountMinor: 27000n, currency: "EUR" } }), "Ana");
  assert.ok(free.text.includes("Cancelling cost nothing: we refunded EUR 270.00 to your card."), free.text);
  assert.match(free.text, /Cancellation fee:\s+EUR 0\.00\n/);
});

test("no card number or payment id in any e-mail; no run of 12 digits at all", () => {
  // A fixed reservation id: the fixture's default holds the process id, which can itself contain "4242".
  const r = reservation({ reservationId: "res_1", paymentId: "pay_4242424242424242" });
  for (const kind of ["invoice", "apology", "cancellation"] as const) {
    for (const body of both(renderEmail(kind, r, "Ana Lima"))) {
      assert.not.ok(body.includes("4242"), `${kind}: ${body}`);
      assert.not.ok(body.includes(r.paymentId), kind);
      assert.not.match(body.replace(/[\s-]/g, ""), /\d{12}/, kind);
    }
  }
});

test("HTML escapes the title and the name; the subject is one line", () => {
  const r = reservation({
    item: { sellerId: "casa", premium: false, title: "Bad <script>alert(1)</script>\r\nBcc: x@y & co" },
  });
  const e = renderEmail("invoice", r, `<b>"Ana"</b>`);
  assert.not.ok(e.html.includes("<script>"), e.html);
  assert.ok(e.html.includes("Bad &lt;script&gt;alert(1)&lt;/script&gt; Bcc: x@y &amp; co"), e.html);
  assert.ok(e.html.includes("Hello &lt;b&gt;&quot;Ana&quot;&lt;/b&gt;,"), e.html);
  assert.not.match(e.subject, /[\r\n]/);
  const nameless = renderEmail("invoice", reservation(), "");
  assert.ok(nameless.text.startsWith("Hello,\n"), nameless.text);
});

test.run();
