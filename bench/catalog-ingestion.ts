// One-off measurement, not a test: UpsertHotels of 2,000 hotels × 4 rooms in
// batches of 500 (then the same again, which must change nothing, and a second
// seller listing 10 % of them), and SearchHotels latency on that data, through
// the kit in-process (localClient + validation) on a fresh database.
//
//   node --import tsx bench/catalog-ingestion.ts
//
// Uses TEST_DATABASE_URL when set, else its own embedded PostgreSQL
// (.test-data/catalog-measure on MEASURE_PG_PORT, default 54359), started
// and stopped here, so that no test run can stop it halfway.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { ensureEmbeddedPostgres } from "../platform/embedded-postgres.js";

import { catalogFixture, type HotelInit } from "../services/catalog/fixture.js";
import { flight, JFK, LGA, LIS, MAD, OPO } from "../services/catalog/flights.fixture.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CITIES = [
  ["lisbon-pt", "Lisbon", "PT", "Portugal", ["Lisboa"]], ["porto-pt", "Porto", "PT", "Portugal", ["Oporto"]],
  ["madrid-es", "Madrid", "ES", "Spain", []], ["barcelona-es", "Barcelona", "ES", "Spain", ["BCN"]],
  ["paris-fr", "Paris", "FR", "France", ["City of Light"]], ["nice-fr", "Nice", "FR", "France", []],
  ["rome-it", "Rome", "IT", "Italy", ["Roma"]], ["milan-it", "Milan", "IT", "Italy", ["Milano"]],
  ["berlin-de", "Berlin", "DE", "Germany", []], ["munich-de", "Munich", "DE", "Germany", ["München"]],
  ["london-gb", "London", "GB", "United Kingdom", ["LDN"]], ["dublin-ie", "Dublin", "IE", "Ireland", []],
  ["amsterdam-nl", "Amsterdam", "NL", "Netherlands", ["AMS"]], ["vienna-at", "Vienna", "AT", "Austria", ["Wien"]],
  ["prague-cz", "Prague", "CZ", "Czechia", ["Praha"]], ["new-york-us", "New York", "US", "United States", ["NY", "NYC", "New York City"]],
  ["los-angeles-us", "Los Angeles", "US", "United States", ["LA"]], ["tokyo-jp", "Tokyo", "JP", "Japan", []],
  ["sao-paulo-br", "São Paulo", "BR", "Brazil", ["Sampa"]], ["mexico-city-mx", "Mexico City", "MX", "Mexico", ["CDMX"]],
] as const;
const WORDS = ["Grand", "Palace", "Garden", "Royal", "Harbour", "Old Town", "Central", "Riverside", "Plaza", "Boutique"];
const KINDS = ["Hotel", "Suites", "Inn", "Residence", "Lodge"];

function inventory(): HotelInit[] {
  return Array.from({ length: 2000 }, (_, i) => {
    const [cityId, cityName, countryCode, countryName] = CITIES[i % CITIES.length]!;
    const code = `P${String(i).padStart(6, "0")}`;
    return {
      hotelId: `h-${code}`,
      name: `${WORDS[i % WORDS.length]} ${cityName} ${KINDS[(i >> 3) % KINDS.length]} ${i}`,
      cityId, cityName, countryCode, countryName,
      starRating: 1 + (i % 5),
      address: `${i} Main Street`,
      amenities: ["free wifi", ...(i % 3 === 0 ? ["pool"] : [])],
      imageUrls: [`https://img.sandbox.itinera.test/${code}/1.jpg`, `https://img.sandbox.itinera.test/${code}/2.jpg`],
      rooms: ["DBL-STD", "TWN-STD", "DBL-SUP", "STE-DLX"].map((roomId, r) => ({ roomId, name: `Room ${roomId}`, maxOccupancy: 1 + r, amenities: ["air conditioning"] })),
    };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  let stopPg: (() => Promise<void>) | undefined;
  if (!process.env.TEST_DATABASE_URL) {
    const pg = await ensureEmbeddedPostgres({
      dataDir: join(ROOT, ".test-data", "catalog-measure"),
      port: Number(process.env.MEASURE_PG_PORT ?? 54359),
      log: pino({ level: "warn" }),
    });
    process.env.TEST_DATABASE_URL = pg.url;
    if (pg.startedHere) stopPg = () => pg.stop();
  }

  const c = await catalogFixture();
  try {
    const hotels = inventory();
    const cityAliases = Object.fromEntries(CITIES.map(([id, , , , aliases]) => [id, { aliases: [...aliases] }]));
    let statements = 0;
    c.database.knex.on("query", () => statements++);
    const batches = async (sellerId: string, list: HotelInit[]) => {
      const t0 = performance.now();
      const counts = { created: 0, updated: 0 };
      for (let i = 0; i < list.length; i += 500) {
        const res = await c.client.upsertHotels(c.ctx, { sellerId, hotels: list.slice(i, i + 500), ...(i === 0 ? { cityAliases } : {}) });
        counts.created += res.created;
        counts.updated += res.updated;
      }
      return { ms: performance.now() - t0, ...counts };
    };
    statements = 0;
    const first = await batches("casa", hotels);
    console.log(`casa, 2000 hotels × 4 rooms in 4 batches of 500: ${first.ms.toFixed(0)} ms (created ${first.created}, updated ${first.updated}, ${statements} SQL statements)`);
    statements = 0;
    const again = await batches("casa", hotels);
    console.log(`the same again: ${again.ms.toFixed(0)} ms (created ${again.created}, updated ${again.updated}, ${statements} SQL statements)`);
    const wanderly = hotels.filter((_, i) => i % 10 === 0).map((h) => ({ ...h, name: `${h.name} by Wanderly` }));
    const second = await batches("wanderly", wanderly);
    console.log(`wanderly, 200 of the same hotels: ${second.ms.toFixed(0)} ms (created ${second.created}, updated ${second.updated})`);
    console.log(`rows: ${JSON.stringify(await c.counts())}`);

    const airports = [LIS, MAD, JFK, LGA, OPO];
    const flights = Array.from({ length: 2000 }, (_, i) => {
      const [from, to] = [airports[i % 5]!, airports[(i + 1 + (i >> 3) % 4) % 5]!];
      const day = String(1 + (i % 28)).padStart(2, "0");
      return flight(`SL${i}`, from, to, `2026-12-${day}T08:00:00Z`, `2026-12-${day}T10:30:00Z`);
    });
    let t0 = performance.now();
    const f1 = await c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights, airports });
    const flightMs = performance.now() - t0;
    t0 = performance.now();
    const f2 = await c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights, airports });
    console.log(`UpsertFlights of 2000 flights: ${flightMs.toFixed(0)} ms (created ${f1.created}); again ${(performance.now() - t0).toFixed(0)} ms (created ${f2.created}, updated ${f2.updated})`);

    await c.database.knex.raw("analyze");
    const queries = ["Lisbon", "NY", "new york", "Lisbn", "Pariss", "Portugal", "royal lisbon", "Roma", "munchen", "harbour suites", "CDMX", "Sao Paulo"];
    for (const q of queries) await c.client.searchHotels(c.ctx, { query: q }); // warm-up
    const times: number[] = [];
    const perQuery = new Map<string, number[]>();
    for (let round = 0; round < 40; round++) {
      for (const query of queries) {
        const t0 = performance.now();
        const res = await c.client.searchHotels(c.ctx, { query });
        const ms = performance.now() - t0;
        if (res.hotels.length === 0) throw new Error(`nothing found for ${query}`);
        times.push(ms);
        perQuery.set(query, [...(perQuery.get(query) ?? []), ms]);
      }
    }
    times.sort((a, b) => a - b);
    console.log(`SearchHotels (page of 20, hotels with rooms), ${times.length} calls in-process, sequential: p50 ${percentile(times, 50).toFixed(2)} ms, p90 ${percentile(times, 90).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`);
    for (const [q, list] of perQuery) console.log(`  ${JSON.stringify(q)}: p50 ${percentile(list.sort((a, b) => a - b), 50).toFixed(2)} ms`);
  } finally {
    await c.close();
    await stopPg?.();
  }
}

await main();
// embedded-postgres registers an exit hook that fails on a natural exit when it has nothing left to stop.
process.exit(0);
