// What the search forms offer before a search: destinations as the customer
// types (from the catalog's typo-tolerant hotel search: the cities those
// hotels are in, and the hotels themselves) and the airports.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Service } from "../../endpoints/service.js";
import type { Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { DestinationSchema, WebService } from "../../gen/itinera/web/v1/web_pb.js";
import { AirportDirectory } from "./airports.js";
import type { WebServiceDeps, WebSettings } from "./deps.js";

type Discovery = Pick<Service<typeof WebService>, "suggestDestinations" | "listAirports">;
type DestinationInit = MessageInitShape<typeof DestinationSchema>;

export const MAX_SUGGESTIONS = 8;
/** Hotels asked of the catalog per suggestion: enough to find several cities. */
const HOTELS_ASKED = 40;

/** Lower case, without accents: "Zürich" starts like "zur". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/**
 * At most 8 suggestions, best first: cities whose name starts like the text,
 * hotels whose name does, then the other cities and hotels the catalog found
 * (an alias or a typo: "NYC", "Lisbn"), in the catalog's order; no repeats.
 */
export function suggestions(text: string, hotels: readonly Hotel[]): DestinationInit[] {
  const typed = fold(text);
  const cities: DestinationInit[] = [];
  const seenCities = new Set<string>();
  for (const h of hotels) {
    const key = h.cityId || `${fold(h.cityName)}|${h.countryCode}`;
    if (h.cityName === "" || seenCities.has(key)) continue;
    seenCities.add(key);
    cities.push({ label: h.cityName, kind: "city", detail: h.countryName || h.countryCode });
  }
  const places = hotels.map(
    (h): DestinationInit => ({ label: h.name, kind: "hotel", detail: [h.cityName, h.countryName || h.countryCode].filter(Boolean).join(", ") }),
  );
  const starts = (d: DestinationInit) => fold(d.label ?? "").startsWith(typed);
  const ordered = [...cities.filter(starts), ...places.filter(starts), ...cities.filter((d) => !starts(d)), ...places.filter((d) => !starts(d))];
  const seen = new Set<string>();
  const unique = ordered.filter((d) => {
    const key = `${d.kind}|${fold(d.label ?? "")}|${fold(d.detail ?? "")}`;
    return !seen.has(key) && seen.add(key);
  });
  return unique.slice(0, MAX_SUGGESTIONS);
}

export function discovery(deps: WebServiceDeps, settings: WebSettings, now: () => number): Discovery {
  const airports = new AirportDirectory(deps.catalog, settings.airportsTtlMs, now);
  return {
    async suggestDestinations(ctx, req) {
      const { hotels } = await deps.catalog.searchHotels(ctx, { query: req.text.trim(), pageSize: HOTELS_ASKED });
      return { destinations: suggestions(req.text, hotels) };
    },

    async listAirports(ctx) {
      const list = await airports.list(ctx);
      return { airports: list.map((a) => ({ code: a.code, cityName: a.cityName, countryCode: a.countryCode })) };
    },
  };
}
