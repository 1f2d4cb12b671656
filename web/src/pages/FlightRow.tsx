// One flight: number and airline, departure and arrival in each airport's own
// clock time with its UTC offset, duration, seats left and the fare.
import type { FlightResult } from "../../../gen/itinera/search/v1/search_pb.js";
import { Price } from "../components/Price.js";
import { flightTimes, formatShortDate, seatsLabel } from "../lib/flights.js";
import { formatMoney } from "../lib/money.js";
import { hasPrice } from "../lib/results.js";

/** "SL123, 08:15 LIS to 10:40 LHR, €120.00": what a radio button or Book button is called. */
export function flightName(f: FlightResult): string {
  const t = flightTimes(f.departureLocal, f.arrivalLocal);
  const price = hasPrice(f.price) ? `, ${formatMoney(f.price.price)}` : "";
  return `${f.flightNumber}, ${t.depart?.time ?? ""} ${f.origin} to ${t.arrive?.time ?? ""} ${f.destination}${price}`;
}

export function FlightDetails({ flight }: { flight: FlightResult }) {
  const t = flightTimes(flight.departureLocal, flight.arrivalLocal);
  const seats = seatsLabel(flight.seatsLeft);
  return (
    <div className="flight">
      <p className="flight-number">
        <strong>{flight.flightNumber}</strong> {flight.carrierName}
      </p>
      <p className="flight-times">
        <span className="flight-end" data-testid="departure">
          <time dateTime={flight.departureLocal}>{t.depart?.time ?? flight.departureLocal}</time>{" "}
          <abbr title={`${flight.origin} airport`}>{flight.origin}</abbr>{" "}
          <span className="offset">{t.depart ? `${formatShortDate(t.depart.date)}, ${t.depart.offset}` : ""}</span>
        </span>
        <span className="flight-arrow" aria-hidden="true">
          →
        </span>
        <span className="visually-hidden"> to </span>
        <span className="flight-end" data-testid="arrival">
          <time dateTime={flight.arrivalLocal}>{t.arrive?.time ?? flight.arrivalLocal}</time>
          {t.shift && (
            <sup className="day-shift" title="Arrives on a later day">
              {t.shift}
            </sup>
          )}{" "}
          <abbr title={`${flight.destination} airport`}>{flight.destination}</abbr>{" "}
          <span className="offset">{t.arrive ? `${formatShortDate(t.arrive.date)}, ${t.arrive.offset}` : ""}</span>
        </span>
      </p>
      <p className="meta">
        {[t.duration, flight.cabin, flight.aircraft].filter(Boolean).join(" · ")}
        {seats && (
          <>
            {" · "}
            <span className={flight.seatsLeft <= 3 ? "seats few" : "seats"} data-testid="seats-left">
              {seats}
            </span>
          </>
        )}
      </p>
    </div>
  );
}

export function FlightPrice({ flight }: { flight: FlightResult }) {
  return <Price price={flight.price} />;
}
