// The hotel search: destination (with suggestions) and the stay's dates,
// checked here first so the traveller sees a problem next to its field.
import { useState, type FormEvent } from "react";
import { Field } from "../components/Field.js";
import { addDays, defaultStay, localToday, parseIsoDate, stayProblems, toIsoDate, type DateParts } from "../lib/dates.js";
import { hotelSearchUrl } from "../lib/params.js";
import { navigate } from "../router.js";
import { DestinationBox } from "./DestinationBox.js";

interface HotelSearchFormProps {
  initial?: { q: string; checkIn: DateParts | undefined; checkOut: DateParts | undefined };
  /** Problems the BFF reported, by field ("query", "check_in", "check_out"). */
  serverFields?: Record<string, string>;
}

export function HotelSearchForm({ initial, serverFields = {} }: HotelSearchFormProps) {
  const guess = defaultStay();
  const [q, setQ] = useState(initial?.q ?? "");
  const [checkIn, setCheckIn] = useState(toIsoDate(initial?.checkIn ?? guess.checkIn));
  const [checkOut, setCheckOut] = useState(toIsoDate(initial?.checkOut ?? guess.checkOut));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const fields = { ...serverFields, ...problems };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = stayProblems(parseIsoDate(checkIn), parseIsoDate(checkOut));
    if (q.trim().length < 2) found.query = "Type at least 2 letters of a city, a country or a hotel's name.";
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    navigate(hotelSearchUrl({ q, checkIn: parseIsoDate(checkIn), checkOut: parseIsoDate(checkOut) }));
  };

  const onCheckIn = (value: string) => {
    setCheckIn(value);
    // Keep the stay's length when check-in moves past check-out.
    const inDate = parseIsoDate(value);
    const outDate = parseIsoDate(checkOut);
    if (inDate && outDate && toIsoDate(outDate) <= toIsoDate(inDate)) setCheckOut(toIsoDate(addDays(inDate, 1)));
  };

  const minIn = toIsoDate(localToday());
  const minOut = toIsoDate(addDays(parseIsoDate(checkIn) ?? localToday(), 1));
  return (
    <form className="search-form hotel-search" onSubmit={submit} noValidate aria-label="Search hotels" role="search">
      <DestinationBox value={q} onChange={setQ} error={fields.query} />
      <div className="dates">
        <Field label="Check-in" type="date" value={checkIn} min={minIn} onChange={(e) => onCheckIn(e.target.value)} error={fields.check_in} required />
        <Field label="Check-out" type="date" value={checkOut} min={minOut} onChange={(e) => setCheckOut(e.target.value)} error={fields.check_out} required />
      </div>
      <button type="submit" className="primary">
        Search hotels
      </button>
    </form>
  );
}
