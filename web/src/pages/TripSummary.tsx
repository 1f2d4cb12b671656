// What a trip is and what it cost: shared by the reservation page and "My trips".
import { TripState, type Trip } from "../../../gen/itinera/web/v1/web_pb.js";
import { formatDate, nightsLabel, daysBetween } from "../lib/dates.js";
import { formatMoney, isPositive } from "../lib/money.js";
import { tripStateLabel, tripTone } from "../lib/trips.js";

export function TripStateBadge({ trip }: { trip: Trip }) {
  return (
    <span className={`badge ${tripTone(trip.state)}`} data-testid="trip-state" data-state={trip.state}>
      {tripStateLabel(trip.state)}
    </span>
  );
}

const when = (ts: Trip["createTime"]) =>
  ts ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(Number(ts.seconds) * 1000)) : "";

export function TripFacts({ trip }: { trip: Trip }) {
  const kind = trip.item?.kind;
  const rows: [string, string, string][] = [];
  if (kind?.case === "hotelStay") {
    const s = kind.value;
    if (s.checkIn && s.checkOut) {
      rows.push(["Check-in", formatDate(s.checkIn), "check-in"]);
      rows.push(["Check-out", `${formatDate(s.checkOut)} (${nightsLabel(daysBetween(s.checkIn, s.checkOut))})`, "check-out"]);
    }
  }
  // Only a trip whose card payment went through was paid (and booked); otherwise it is what the card was asked for.
  const charged = ![TripState.PAYING, TripState.DECLINED, TripState.EXPIRED].includes(trip.state);
  if (trip.createTime) rows.push([charged ? "Booked" : "Payment started", when(trip.createTime), "booked"]);
  if (trip.amount) rows.push([charged ? "Paid by card" : "Card amount (not charged)", formatMoney(trip.amount), "amount"]);
  if (isPositive(trip.markdown)) rows.push(["From your wallet", formatMoney(trip.markdown), "markdown"]);
  if (trip.sellerReference) rows.push(["Seller reference", trip.sellerReference, "seller-reference"]);
  if (trip.cancellationFee) rows.push(["Cancellation fee", formatMoney(trip.cancellationFee), "trip-fee"]);
  if (isPositive(trip.refunded)) rows.push(["Refunded to your card", formatMoney(trip.refunded), "refunded"]);
  if (trip.reservationId) rows.push(["Reservation", trip.reservationId, "reservation-id"]);
  return (
    <dl className="facts">
      {rows.map(([label, value, testId]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd data-testid={testId}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
