// Keyword enrichment: other names people search for a city by. Sellers send
// some (casa's /xml/aliases); this table adds the common ones no seller sends.
// Catalog indexes them with the city, so "NYC" finds New York's hotels.

/** Built-in synonyms by our city id; data, frozen. Extend freely. */
export const CITY_SYNONYMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "new-york-us": ["NY", "NYC", "New York City", "Big Apple", "Manhattan"],
  "los-angeles-us": ["LA", "L.A."],
  "san-francisco-us": ["SF", "San Fran"],
  "london-gb": ["LDN", "Londres"],
  "paris-fr": ["Paname"],
  "lisbon-pt": ["Lisboa"],
  "porto-pt": ["Oporto"],
  "rome-it": ["Roma"],
  "milan-it": ["Milano"],
  "venice-it": ["Venezia"],
  "florence-it": ["Firenze"],
  "munich-de": ["München", "Muenchen"],
  "cologne-de": ["Köln", "Koeln"],
  "vienna-at": ["Wien"],
  "prague-cz": ["Praha"],
  "copenhagen-dk": ["København"],
  "athens-gr": ["Athina"],
  "brussels-be": ["Bruxelles", "Brussel"],
  "seville-es": ["Sevilla"],
  "mexico-city-mx": ["CDMX", "Ciudad de México"],
  "rio-de-janeiro-br": ["Rio"],
  "hong-kong-hk": ["HK"],
  "dubai-ae": ["DXB"],
});

/**
 * The aliases of each of `cityIds`: the seller's and the built-in ones, each
 * name once (case-insensitively), never the city's own id. Cities with none
 * are left out.
 */
export function cityAliasesFor(
  cityIds: Iterable<string>,
  fromSeller: ReadonlyMap<string, readonly string[]>,
): Record<string, { aliases: string[] }> {
  const out: Record<string, { aliases: string[] }> = {};
  for (const cityId of new Set(cityIds)) {
    const seen = new Set<string>();
    const aliases: string[] = [];
    for (const name of [...(fromSeller.get(cityId) ?? []), ...(CITY_SYNONYMS[cityId] ?? [])]) {
      const trimmed = name.trim();
      const key = trimmed.toLocaleLowerCase("en");
      if (trimmed === "" || key === cityId || seen.has(key)) continue;
      seen.add(key);
      aliases.push(trimmed);
    }
    if (aliases.length > 0) out[cityId] = { aliases };
  }
  return out;
}

/** Our city id from a city's English name and country ("New York", "US" → "new-york-us"). */
export function cityId(cityName: string, countryCode: string): string {
  const slug = cityName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug}-${countryCode.toLowerCase()}`;
}
