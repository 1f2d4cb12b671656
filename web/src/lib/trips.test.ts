import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TripSchema, TripState } from "../../../gen/itinera/web/v1/web_pb.js";
import { canCancel, isFinal, isPending, tripListLine, tripMessage, tripStateLabel, tripTone, tryAgainUrl } from "./trips.js";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const trip = (init: Parameters<typeof create<typeof TripSchema>>[1]) => create(TripSchema, { paymentId: "pay_1", ...init });
const text = (t: ReturnType<typeof trip>) => {
  const m = tripMessage(t);
  return [m.headline, ...m.details].join(" ");
};

test("every state has a label, and unknown ones say so", () => {
  const states = [1, 2, 3, 4, 5, 6, 7, 8] as TripState[];
  const labels = states.map(tripStateLabel);
  assert.equal(labels, [
    "Waiting for payment",
    "Card declined",
    "Paid, confirming",
    "Confirmed",
    "Could not be booked",
    "Cancelled",
    "Completed",
    "Payment timed out",
  ]);
  assert.is(tripStateLabel(TripState.UNSPECIFIED), "Unknown");
});

test("a declined card says so and that nothing was booked", () => {
  const t = text(trip({ state: TripState.DECLINED, reason: "The card was declined by its issuer." }));
  assert.match(t, /^Your card was declined\./);
  assert.match(t, /Nothing was booked/);
  assert.match(t, /The card was declined by its issuer\./);
});

test("a confirmed trip gives the seller's reference and promises the invoice", () => {
  const t = text(trip({ state: TripState.CONFIRMED, sellerReference: "CASA-42" }));
  assert.match(t, /confirmed/);
  assert.match(t, /Seller reference: CASA-42\./);
  assert.match(t, /an invoice is on its way/i);
});

test("a failed trip gives the reason and the refund", () => {
  const t = text(trip({ state: TripState.FAILED, reason: "No rooms left", amount: eur(30000n), refunded: eur(30000n), markdown: eur(2500n) }));
  assert.match(t, /could not book/);
  assert.match(t, /No rooms left\./, "the reason, ended as a sentence");
  assert.match(t, /refunding €300\.00 to your card/);
  assert.match(t, /€25\.00 from your wallet goes back/);
});

test("a failed trip not yet refunded names the amount paid", () => {
  assert.match(text(trip({ state: TripState.FAILED, amount: eur(1000n) })), /refunding €10\.00/);
});

test("a cancelled trip shows its fee and refund", () => {
  const t = text(trip({ state: TripState.CANCELLED, cancellationFee: eur(5000n), refunded: eur(25000n) }));
  assert.match(t, /Cancellation fee: €50\.00\./);
  assert.match(t, /Refunded to your card: €250\.00\./);
});

test("waiting states say the page updates by itself", () => {
  assert.match(text(trip({ state: TripState.PAYING })), /updates by itself/);
  assert.match(text(trip({ state: TripState.PAID })), /Payment received/);
  assert.match(text(trip({ state: TripState.EXPIRED })), /Nothing was charged/);
});

test("final, pending and cancellable states", () => {
  assert.ok(isFinal(TripState.CONFIRMED) && isFinal(TripState.DECLINED) && isFinal(TripState.FAILED) && isFinal(TripState.EXPIRED));
  assert.not.ok(isFinal(TripState.PAYING) || isFinal(TripState.PAID));
  assert.ok(isPending(TripState.PAID));
  assert.ok(canCancel(trip({ state: TripState.CONFIRMED, reservationId: "res_1" })));
  assert.ok(canCancel(trip({ state: TripState.PAID, reservationId: "res_1" })));
  assert.not.ok(canCancel(trip({ state: TripState.PAID })), "no reservation yet");
  for (const s of [TripState.CANCELLED, TripState.FULFILLED, TripState.FAILED, TripState.DECLINED]) {
    assert.not.ok(canCancel(trip({ state: s, reservationId: "res_1" })), TripState[s]);
  }
  assert.is(tripTone(TripState.CONFIRMED), "success");
  assert.is(tripTone(TripState.DECLINED), "error");
  assert.is(tripTone(TripState.PAYING), "progress");
});

test("My trips says whether the card was charged for payments that never became a reservation", () => {
  assert.is(tripListLine(trip({ state: TripState.DECLINED })), "Payment declined — your card was not charged.");
  assert.is(tripListLine(trip({ state: TripState.PAYING })), "Waiting for your bank to confirm the payment.");
  assert.is(tripListLine(trip({ state: TripState.EXPIRED })), "Payment timed out — your card was not charged.");
  assert.is(tripListLine(trip({ state: TripState.CONFIRMED })), "Your booking is confirmed.");
});

test("Try again opens what was being bought, for a declined or timed-out payment only", () => {
  const stay = {
    case: "hotelStay" as const,
    value: { hotelId: "h 1", checkIn: { year: 2027, month: 3, day: 1 }, checkOut: { year: 2027, month: 3, day: 4 } },
  };
  const flights = {
    case: "flightTrip" as const,
    value: { outboundFlightId: "SL123-2027-03-01", returnFlightId: "SL124-2027-03-08", origin: "LIS", destination: "MAD" },
  };
  assert.is(tryAgainUrl(trip({ state: TripState.DECLINED, item: { kind: stay } })), "/hotel/h%201?in=2027-03-01&out=2027-03-04");
  assert.is(tryAgainUrl(trip({ state: TripState.EXPIRED, item: { kind: flights } })), "/flights?from=LIS&to=MAD&date=2027-03-01&return=2027-03-08");
  assert.is(tryAgainUrl(trip({ state: TripState.DECLINED })), "/");
  for (const state of [TripState.PAYING, TripState.PAID, TripState.CONFIRMED, TripState.FAILED, TripState.CANCELLED]) {
    assert.is(tryAgainUrl(trip({ state, item: { kind: stay } })), undefined, TripState[state]);
  }
});

test.run();
