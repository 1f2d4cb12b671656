// /hotels?q=&in=&out=: results as StreamHotels sends them (each message
// replaces the list), sorted and filtered on the page.
import { useMemo, useState } from "react";
import { useApi } from "../api/context.js";
import { useStream } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { useTitle } from "../components/useTitle.js";
import { daysBetween, formatDate, nightsLabel, stayProblems } from "../lib/dates.js";
import { parseMajor } from "../lib/money.js";
import { parseHotelSearch } from "../lib/params.js";
import { degradedNotices, filterHotels, resultsCurrency, sellersOf, sortHotels } from "../lib/results.js";
import { useLocation } from "../router.js";
import { HotelCard } from "./HotelCard.js";
import { HotelFilters, NO_INPUTS, type FilterInputs } from "./HotelFilters.js";
import { HotelSearchForm } from "./HotelSearchForm.js";

export function HotelsPage() {
  const api = useApi();
  const location = useLocation();
  const search = parseHotelSearch(location.search);
  const { q, checkIn, checkOut } = search;
  const problems = stayProblems(checkIn, checkOut);
  if (q.length < 2) problems.query = "Type at least 2 letters of a city, a country or a hotel's name.";
  const valid = Object.keys(problems).length === 0 && !!checkIn && !!checkOut;
  useTitle(q ? `Hotels in ${q}` : "Hotels");

  const stream = useStream(
    (signal) => api.streamHotels({ query: q, checkIn, checkOut }, { signal }),
    [api, q, location.search],
    { what: "the hotel search", enabled: valid },
  );
  const [inputs, setInputs] = useState<FilterInputs>(NO_INPUTS);

  const results = stream.latest?.results;
  const hotels = useMemo(() => results?.hotels ?? [], [results]);
  const currency = resultsCurrency(hotels);
  const maxPriceMinor = inputs.maxPrice.trim() ? parseMajor(inputs.maxPrice, currency) : undefined;
  const maxPriceError = inputs.maxPrice.trim() && maxPriceMinor === undefined ? "Type an amount, like 150 or 150.50." : undefined;
  const shown = useMemo(
    () => sortHotels(filterHotels(hotels, { maxPriceMinor, minStars: inputs.minStars, seller: inputs.seller }), inputs.sort),
    [hotels, maxPriceMinor, inputs.minStars, inputs.seller, inputs.sort],
  );
  const sellers = [...new Set([...sellersOf(hotels), ...(inputs.seller ? [inputs.seller] : [])])].sort();
  const nights = checkIn && checkOut ? daysBetween(checkIn, checkOut) : 0;
  const searching = valid && !stream.done;

  let status: string;
  if (!valid) status = "";
  else if (searching) status = hotels.length === 0 ? "Searching…" : `Searching… ${hotels.length} hotels so far`;
  else if (stream.problem) status = "";
  else if (hotels.length === shown.length) status = `${hotels.length} ${hotels.length === 1 ? "hotel" : "hotels"} found`;
  else status = `${hotels.length} hotels found, ${shown.length} shown with these filters`;

  return (
    <section className="results-page">
      <h1 tabIndex={-1}>{q ? `Hotels in ${q}` : "Hotels"}</h1>
      {checkIn && checkOut && valid && (
        <p className="lede">
          {formatDate(checkIn)} – {formatDate(checkOut)} · {nightsLabel(nights)}
        </p>
      )}
      <details className="edit-search" open={!valid}>
        <summary>Change search</summary>
        <HotelSearchForm key={location.search} initial={search} serverFields={stream.problem?.fields ?? (valid ? {} : problems)} />
      </details>
      <p className="status" role="status" aria-live="polite" aria-busy={searching} data-testid="search-status">
        {searching && <span className="spinner" aria-hidden="true" />}
        {status}
      </p>
      <ErrorMessage problem={stream.problem} onRetry={stream.restart} />
      {degradedNotices(results?.degraded ?? []).map((note) => (
        <p key={note} className="notice" role="note" data-testid="degraded">
          {note}
        </p>
      ))}
      {hotels.length > 0 && (
        <HotelFilters value={inputs} onChange={setInputs} sellers={sellers} currency={currency} maxPriceError={maxPriceError} />
      )}
      {checkIn && checkOut && (
        <ul className="results" aria-label="Hotel results" data-testid="hotel-results" aria-busy={searching}>
          {shown.map((h) => (
            <HotelCard key={h.hotelId} hotel={h} checkIn={checkIn} checkOut={checkOut} nights={nights} />
          ))}
        </ul>
      )}
      {valid && stream.done && !stream.problem && hotels.length === 0 && (
        <p className="empty">No hotels match “{q}” for these dates. Try a city, a country or a hotel’s name.</p>
      )}
      {hotels.length > 0 && shown.length === 0 && (
        <p className="empty">
          No hotels match these filters.{" "}
          <button type="button" className="link" onClick={() => setInputs(NO_INPUTS)}>
            Clear filters
          </button>
        </p>
      )}
    </section>
  );
}
