// /hotels?q=&in=&out=: results a page at a time as StreamHotels sends them
// (each message replaces its page), sorted and filtered on the page.
//
// Pages: the first page is search's best 20 of `totalCount` matches; "Show
// more" asks for the next page with the previous page's token and appends it,
// so the list is always the first N hotels of search's ranking ("Recommended")
// — a ranking that does not depend on the dates or on prices, so every page
// continues the one before. Sorting and filters are the page's own and apply
// to every hotel loaded so far: re-sorted as each page arrives, and the status
// says how many of the total are loaded when more remain, so a "cheapest
// first" is never passed off as the cheapest of all. A new search (another
// URL) starts again from the first page.
import { useMemo, useState } from "react";
import type { HotelResult } from "../../../gen/itinera/search/v1/search_pb.js";
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

  // The pages already complete, and the token of the page being streamed, for this search only.
  const [pages, setPages] = useState<LoadedPages>({ search: location.search, earlier: [], token: "" });
  const { earlier, token } = pages.search === location.search ? pages : { earlier: [], token: "" };
  const stream = useStream(
    (signal) => api.streamHotels({ query: q, checkIn, checkOut, ...(token ? { pageToken: token } : {}) }, { signal }),
    [api, q, location.search, token],
    { what: "the hotel search", enabled: valid },
  );
  const [inputs, setInputs] = useState<FilterInputs>(NO_INPUTS);

  const results = stream.latest?.results;
  const hotels = useMemo(() => appended(earlier, results?.hotels ?? []), [earlier, results]);
  const total = Math.max(results?.totalCount ?? 0, hotels.length);
  const nextPageToken = stream.done && !stream.problem ? (results?.nextPageToken ?? "") : "";
  const showMore = () => setPages({ search: location.search, earlier: hotels, token: nextPageToken });
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
  else status = resultsStatus(total, hotels.length, shown.length);

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
      {nextPageToken && (
        <p className="more">
          <button type="button" onClick={showMore} data-testid="show-more">
            Show more hotels
          </button>
        </p>
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

interface LoadedPages {
  /** The search (URL query) these pages belong to. */
  search: string;
  /** The hotels of the pages already complete, in search's order. */
  earlier: HotelResult[];
  /** The page_token of the page being streamed ("" for the first). */
  token: string;
}

/** "97 hotels found, showing 20", and how many the filters leave. */
function resultsStatus(total: number, loaded: number, shown: number): string {
  const found = `${total} ${total === 1 ? "hotel" : "hotels"} found`;
  if (loaded < total) return shown === loaded ? `${found}, showing ${loaded}` : `${found}: ${loaded} loaded, ${shown} shown with these filters`;
  return shown === loaded ? found : `${found}, ${shown} shown with these filters`;
}

/**
 * The earlier pages, then the streamed page's hotels not among them: right
 * after "Show more", until the next page's stream starts, the last message is
 * still the previous page's.
 */
function appended(earlier: HotelResult[], page: readonly HotelResult[]): HotelResult[] {
  const seen = new Set(earlier.map((h) => h.hotelId));
  return [...earlier, ...page.filter((h) => !seen.has(h.hotelId))];
}
