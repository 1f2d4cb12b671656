// /flights?from=&to=&date=&return=: StreamFlights results. One way: Book per
// flight. Return: choose an outbound and a return flight, then Book both.
import { useState } from "react";
import type { FlightResult } from "../../../gen/itinera/search/v1/search_pb.js";
import { useApi } from "../api/context.js";
import { useStream } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { FlexibleChoice } from "../components/FlexibleChoice.js";
import { useBook, type BookState } from "../components/useBook.js";
import { useTitle } from "../components/useTitle.js";
import { daysBetween, formatDate, localToday } from "../lib/dates.js";
import { flightTripBooking } from "../lib/items.js";
import { formatMoney, type MoneyLike } from "../lib/money.js";
import { parseFlightSearch } from "../lib/params.js";
import { degradedNotices, hasPrice } from "../lib/results.js";
import { useLocation } from "../router.js";
import { FlightDetails, FlightPrice, flightName } from "./FlightRow.js";
import { FlightSearchForm } from "./FlightSearchForm.js";

export function FlightsPage() {
  const api = useApi();
  const location = useLocation();
  const search = parseFlightSearch(location.search);
  const { from, to, date, returnDate } = search;
  const valid =
    /^[A-Z]{3}$/.test(from) && /^[A-Z]{3}$/.test(to) && from !== to && !!date && daysBetween(localToday(), date) >= 0 &&
    (!returnDate || daysBetween(date, returnDate) >= 0);
  useTitle(valid ? `Flights ${from} to ${to}` : "Flights");

  const stream = useStream(
    (signal) => api.streamFlights({ origin: from, destination: to, departureDate: date, returnDate }, { signal }),
    [api, location.search],
    { what: "the flight search", enabled: valid },
  );
  const booking = useBook(stream.restart);
  const results = stream.latest?.results;
  const outbound = results?.outbound ?? [];
  const inbound = results?.inbound ?? [];
  const searching = valid && !stream.done;
  const count = outbound.length + inbound.length;

  return (
    <section className="results-page">
      <h1 tabIndex={-1}>{valid ? `Flights ${from} → ${to}` : "Flights"}</h1>
      {valid && (
        <p className="lede">
          {formatDate(date)}
          {returnDate ? ` – return ${formatDate(returnDate)}` : " · one way"}
        </p>
      )}
      <details className="edit-search" open={!valid}>
        <summary>Change search</summary>
        <FlightSearchForm key={location.search} initial={search} />
      </details>
      <p className="status" role="status" aria-live="polite" aria-busy={searching} data-testid="search-status">
        {searching && <span className="spinner" aria-hidden="true" />}
        {!valid
          ? "Choose two different airports and a date from today on."
          : searching
            ? count === 0
              ? "Searching…"
              : `Searching… ${count} flights so far`
            : stream.problem
              ? ""
              : `${count} ${count === 1 ? "flight" : "flights"} found${returnDate ? ` (${outbound.length} outbound, ${inbound.length} return)` : ""}`}
      </p>
      <ErrorMessage problem={stream.problem} onRetry={stream.restart} />
      {degradedNotices(results?.degraded ?? []).map((note) => (
        <p key={note} className="notice" role="note" data-testid="degraded">
          {note}
        </p>
      ))}
      {valid && !returnDate && <OneWay flights={outbound} booking={booking} />}
      {valid && returnDate && <RoundTrip outbound={outbound} inbound={inbound} walletAvailable={results?.walletAvailable} booking={booking} />}
      {valid && stream.done && !stream.problem && outbound.length === 0 && <p className="empty">No flights found for this route and date.</p>}
    </section>
  );
}

function OneWay({ flights, booking }: { flights: FlightResult[]; booking: BookState }) {
  const [flexible, setFlexible] = useState<Record<string, boolean>>({});
  return (
    <ul className="results flights" aria-label="Outbound flights" data-testid="outbound-flights">
      {flights.map((f) => (
        <li key={f.flightId} className="card flight-card" data-testid="flight-result" data-flight-id={f.flightId}>
          <FlightDetails flight={f} />
          <div className="card-aside">
            <FlightPrice flight={f} />
            <FlexibleChoice booking={flightTripBooking(f)} chosen={!!flexible[f.flightId]} onChange={(on) => setFlexible((x) => ({ ...x, [f.flightId]: on }))} />
            <button
              type="button"
              className="primary"
              data-testid="book-button"
              aria-label={`Book flight ${f.flightNumber}`}
              disabled={!!booking.pending}
              aria-busy={booking.pending === f.flightId}
              onClick={() => void booking.book(f.flightId, flightTripBooking(f), !!flexible[f.flightId])}
            >
              {booking.pending === f.flightId ? "Booking…" : "Book"}
            </button>
            <ErrorMessage problem={booking.problemFor(f.flightId)} />
          </div>
        </li>
      ))}
    </ul>
  );
}

function RoundTrip({ outbound, inbound, walletAvailable, booking }: { outbound: FlightResult[]; inbound: FlightResult[]; walletAvailable?: MoneyLike; booking: BookState }) {
  const [outId, setOutId] = useState<string | undefined>(undefined);
  const [inId, setInId] = useState<string | undefined>(undefined);
  const [flexible, setFlexible] = useState(false);
  // Until the traveller picks, the cheapest priced flight of each list is chosen.
  const firstPriced = (list: FlightResult[]) => list.find((f) => hasPrice(f.price));
  const out = outbound.find((f) => f.flightId === outId) ?? firstPriced(outbound);
  const back = inbound.find((f) => f.flightId === inId) ?? firstPriced(inbound);
  const choice = out && back ? flightTripBooking(out, back, walletAvailable) : undefined;
  const key = `${out?.flightId}+${back?.flightId}`;
  return (
    <>
      <Leg legend="Outbound flights" testId="outbound-flights" flights={outbound} chosen={out?.flightId} onChoose={setOutId} />
      <Leg legend="Return flights" testId="inbound-flights" flights={inbound} chosen={back?.flightId} onChoose={setInId} />
      {out && back && choice && (
        <div className="trip-summary card" data-testid="trip-summary">
          <p>
            {out.flightNumber} and {back.flightNumber}:{" "}
            <strong data-testid="total-price">{"total" in choice ? formatMoney(choice.total) : "not bookable"}</strong> in total
          </p>
          <FlexibleChoice booking={choice} chosen={flexible} onChange={setFlexible} />
          <button
            type="button"
            className="primary"
            data-testid="book-button"
            disabled={!!booking.pending}
            aria-busy={booking.pending === key}
            onClick={() => void booking.book(key, choice, flexible)}
          >
            {booking.pending === key ? "Booking…" : "Book these flights"}
          </button>
          <ErrorMessage problem={booking.problemFor(key)} />
        </div>
      )}
    </>
  );
}

interface LegProps {
  legend: string;
  testId: string;
  flights: FlightResult[];
  chosen: string | undefined;
  onChoose: (id: string) => void;
}

function Leg({ legend, testId, flights, chosen, onChoose }: LegProps) {
  const name = testId;
  return (
    <fieldset className="leg">
      <legend>{legend}</legend>
      <ul className="results flights" aria-label={legend} data-testid={testId}>
        {flights.map((f) => (
          <li key={f.flightId} className={`card flight-card ${chosen === f.flightId ? "chosen" : ""}`} data-testid="flight-result" data-flight-id={f.flightId}>
            <label className="flight-choice">
              <input
                type="radio"
                name={name}
                value={f.flightId}
                checked={chosen === f.flightId}
                disabled={!hasPrice(f.price)}
                onChange={() => onChoose(f.flightId)}
                aria-label={flightName(f)}
              />
              <FlightDetails flight={f} />
            </label>
            <div className="card-aside">
              <FlightPrice flight={f} />
            </div>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
