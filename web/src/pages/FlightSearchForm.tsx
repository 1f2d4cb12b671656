// The flight search: airports from ListAirports, one way or return, dates.
import { useId, useState, type FormEvent } from "react";
import { useApi } from "../api/context.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { Field } from "../components/Field.js";
import { addDays, daysBetween, localToday, parseIsoDate, toIsoDate } from "../lib/dates.js";
import { flightSearchUrl, type FlightSearch } from "../lib/params.js";
import { navigate } from "../router.js";

export function FlightSearchForm({ initial }: { initial?: FlightSearch }) {
  const api = useApi();
  const airports = useCall((signal) => api.listAirports({}, { signal }), [api], { what: "the airport list" });
  const today = localToday();
  const [from, setFrom] = useState(initial?.from ?? "");
  const [to, setTo] = useState(initial?.to ?? "");
  const [roundTrip, setRoundTrip] = useState(initial ? !!initial.returnDate : true);
  const [date, setDate] = useState(toIsoDate(initial?.date ?? addDays(today, 7)));
  const [back, setBack] = useState(toIsoDate(initial?.returnDate ?? addDays(initial?.date ?? today, initial?.date ? 7 : 14)));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const ids = { from: useId(), to: useId(), trip: useId() };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    const out = parseIsoDate(date);
    const ret = parseIsoDate(back);
    if (!from) found.origin = "Choose where you fly from.";
    if (!to) found.destination = "Choose where you fly to.";
    else if (to === from) found.destination = "Choose a destination other than the origin.";
    if (!out) found.departure_date = "Choose a departure date.";
    else if (daysBetween(today, out) < 0) found.departure_date = "The departure cannot be in the past.";
    if (roundTrip) {
      if (!ret) found.return_date = "Choose a return date.";
      else if (out && daysBetween(out, ret) < 0) found.return_date = "The return cannot be before the departure.";
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    navigate(flightSearchUrl({ from, to, date: out, returnDate: roundTrip ? ret : undefined }));
  };

  const list = airports.data?.airports ?? [];
  const options = list.map((a) => (
    <option key={a.code} value={a.code}>
      {a.cityName} ({a.code})
    </option>
  ));
  const select = (id: string, label: string, value: string, set: (v: string) => void, error: string | undefined) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        aria-busy={airports.loading}
      >
        <option value="">{airports.loading ? "Loading airports…" : "Choose an airport"}</option>
        {options}
      </select>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );

  return (
    <form className="search-form flight-search" onSubmit={submit} noValidate aria-label="Search flights" role="search">
      <ErrorMessage problem={airports.problem} onRetry={airports.reload} />
      <fieldset className="trip-kind">
        <legend>Trip</legend>
        <label>
          <input type="radio" name={ids.trip} checked={roundTrip} onChange={() => setRoundTrip(true)} /> Return
        </label>
        <label>
          <input type="radio" name={ids.trip} checked={!roundTrip} onChange={() => setRoundTrip(false)} /> One way
        </label>
      </fieldset>
      <div className="airports">
        {select(ids.from, "From", from, setFrom, problems.origin)}
        {select(ids.to, "To", to, setTo, problems.destination)}
      </div>
      <div className="dates">
        <Field label="Departure" type="date" value={date} min={toIsoDate(today)} onChange={(e) => setDate(e.target.value)} error={problems.departure_date} />
        {roundTrip && (
          <Field label="Return" type="date" value={back} min={date} onChange={(e) => setBack(e.target.value)} error={problems.return_date} />
        )}
      </div>
      <button type="submit" className="primary">
        Search flights
      </button>
    </form>
  );
}
