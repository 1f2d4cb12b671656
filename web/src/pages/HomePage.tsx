// The home page: hotel search and flight search on two tabs (/?tab=flights
// opens the second).
import { useRef, type KeyboardEvent } from "react";
import { useTitle } from "../components/useTitle.js";
import { navigate, useLocation } from "../router.js";
import { FlightSearchForm } from "./FlightSearchForm.js";
import { HotelSearchForm } from "./HotelSearchForm.js";

const TABS = [
  { id: "hotels", label: "Hotels" },
  { id: "flights", label: "Flights" },
] as const;

export function HomePage() {
  useTitle("");
  const location = useLocation();
  const tab = new URLSearchParams(location.search).get("tab") === "flights" ? "flights" : "hotels";
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const select = (id: string, focus = false) => {
    navigate(id === "hotels" ? "/" : "/?tab=flights", { replace: true });
    if (focus) tabRefs.current[TABS.findIndex((t) => t.id === id)]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    e.preventDefault();
    select(tab === "hotels" ? "flights" : "hotels", true);
  };

  return (
    <section className="home">
      <h1 tabIndex={-1}>Find hotels and flights</h1>
      <p className="lede">Prices from many sellers, with your wallet already taken off.</p>
      <div className="tabs" role="tablist" aria-label="What to search">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => select(t.id)}
            onKeyDown={onKeyDown}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === "hotels" ? <HotelSearchForm /> : <FlightSearchForm />}
      </div>
    </section>
  );
}
