// The catalog against every committed pact that names it (search's,
// sellers' and the web BFF's): the real server, wired as services/catalog/main.ts wires it, on
// its own PostgreSQL database, with provider states set up through the real
// catalog service (UpsertHotels, UpsertFlights; premises checked with
// SearchHotels and GetAirports).
//
// And the check that verification can fail: the same catalog, except that
// SearchHotels leaves out the rooms search shows, must not pass search's pact.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Service } from "../../endpoints/service.js";
import { CatalogService, SearchHotelsResponseSchema } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { catalogFixture, TEST_PAGE_TOKEN_SECRET, type CatalogFixture } from "../../services/catalog/fixture.js";
import { catalogService } from "../../services/catalog/service.js";
import { catalogValidators } from "../../services/catalog/validators.js";
import { PACTS_DIR, stringListParam, stringParam, verifyProvider, type ProviderStates } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";

let f: CatalogFixture;
let tokens: TestTokens;
const servers: ProviderServer[] = [];

/** Each consumer's own service token, as the contract names the consumer: what the verifier sends for it. */
async function bearerTokensOf(...consumers: string[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(consumers.map(async (c) => [c, (await tokens.service(c)).token!])));
}

/** A catalog server exactly as main.ts builds one, around `catalog`. */
async function serveCatalog(catalog: Service<typeof CatalogService>): Promise<ProviderServer> {
  const server = await startProvider(CatalogService, catalog, {
    validators: catalogValidators(),
    ready: f.database.ready,
    authenticate: tokens.authenticate,
  });
  servers.push(server);
  return server;
}

const realCatalog = () =>
  catalogService({ hotels: f.hotels, flights: f.flights, pageTokenSecret: TEST_PAGE_TOKEN_SECRET });

/** Airports the states may name, as a seller lists them. */
const AIRPORTS: Record<string, { name: string; cityId: string; cityName: string; countryCode: string; timeZone: string }> = {
  LIS: { name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" },
  MAD: { name: "Adolfo Suárez Madrid–Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" },
  OPO: { name: "Francisco Sá Carneiro", cityId: "porto-pt", cityName: "Porto", countryCode: "PT", timeZone: "Europe/Lisbon" },
};

function airport(code: string) {
  const known = AIRPORTS[code];
  if (!known) throw new Error(`the catalog's states know airports ${Object.keys(AIRPORTS).join(", ")}, not ${code}`);
  return { code, ...known };
}

/** SkyLark's flight `number` from `origin` to `destination`, leaving at 08:15 UTC on `date` ("2027-03-10"), 75 minutes long. */
function flight(number: string, origin: string, destination: string, date: string) {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const departs = new Date(`${date}T08:15:00Z`);
  return {
    flightId: `${number}-${date}`,
    carrierCode: number.slice(0, 2),
    carrierName: "SkyLark Air",
    flightNumber: number,
    origin,
    destination,
    departureTime: timestampFromDate(departs),
    arrivalTime: timestampFromDate(new Date(departs.getTime() + 75 * 60_000)),
    departureDate: { year, month, day },
    aircraft: "Airbus A320neo",
    cabinServices: ["meal"],
    sellerIds: ["skylark"],
  };
}

/** Lists `flights` (and the airports they use) as SkyLark would. */
async function listFlights(flights: ReturnType<typeof flight>[]) {
  const codes = [...new Set(flights.flatMap((x) => [x.origin, x.destination]))];
  await f.client.upsertFlights(f.ctx, { sellerId: "skylark", flights, airports: codes.map(airport) });
}

/** The states catalog's consumers name, set up through the catalog service itself. */
const catalogStates = (): ProviderStates => ({
  async "hotels exist in a city"(params) {
    const [cityId, cityName] = [stringParam(params, "cityId"), stringParam(params, "cityName")];
    const [countryCode, countryName] = [stringParam(params, "countryCode"), stringParam(params, "countryName")];
    const hotel = (n: number, name: string, stars: number) => ({
      hotelId: `h-${cityId}-${n}`,
      name,
      cityId,
      cityName,
      countryCode,
      countryName,
      starRating: stars,
      address: `${n} Rua Augusta, ${cityName}`,
      amenities: ["pool", "free wifi"],
      imageUrls: [`https://img.sandbox.itinera.test/${cityId}-${n}/1.jpg`],
      rooms: [
        { roomId: "DBL-STD", name: "Double room", maxOccupancy: 2, amenities: ["tv"] },
        { roomId: "TWN-STD", name: "Twin room", maxOccupancy: 2, amenities: ["tv"] },
      ],
      sellerIds: ["casa"],
    });
    await f.client.upsertHotels(f.ctx, {
      sellerId: "casa",
      hotels: [hotel(1, `Casa ${cityName}`, 4), hotel(2, `${cityName} Garden Inn`, 3)],
    });
  },
  async "no hotel matches a query"(params) {
    const query = stringParam(params, "query");
    const { hotels } = await f.client.searchHotels(f.ctx, { query });
    if (hotels.length > 0) throw new Error(`"${query}" finds ${hotels.map((h) => h.hotelId).join(", ")}; the state needs no match`);
  },
  async "flights exist on a route and date"(params) {
    const [origin, destination] = [stringParam(params, "origin"), stringParam(params, "destination")];
    await listFlights([flight(stringParam(params, "flightNumber"), origin, destination, stringParam(params, "departureDate"))]);
  },
  async "airports exist"(params) {
    const codes = stringListParam(params, "codes");
    // Airports come with the flights that use them: one flight through all of them, on a day no consumer asks about.
    const legs = codes.slice(1).map((to, i) => flight(`PA${100 + i}`, codes[i]!, to, "2027-01-04"));
    if (legs.length === 0) throw new Error('"airports exist" needs at least two codes');
    await listFlights(legs);
  },
  async "an airport code is unknown"(params) {
    const [known, unknown] = [stringParam(params, "known"), stringParam(params, "unknown")];
    const other = Object.keys(AIRPORTS).find((c) => c !== known)!;
    await listFlights([flight("PA200", known, other, "2027-01-04")]);
    const { airports } = await f.client.getAirports(f.ctx, { codes: [unknown] });
    if (airports.length > 0) throw new Error(`the catalog knows ${unknown}; the state needs it unknown`);
  },
});

test.before(async () => {
  f = await catalogFixture({ poolMax: 5 });
  tokens = await testTokens();
});
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await f?.close();
});

test("the real catalog satisfies every pact that names it", async () => {
  const server = await serveCatalog(realCatalog());
  const result = await verifyProvider("catalog", server.url, catalogStates(), { bearerTokens: await bearerTokensOf("search", "sellers", "web") });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["search-catalog.json", "sellers-catalog.json", "web-catalog.json"],
  );
  assert.ok(result.interactions >= 10, `${result.interactions} interactions`);
  // The states and the sellers' upserts really went through the catalog.
  const { hotels } = await f.client.searchHotels(f.ctx, { query: "Lisbon" });
  assert.ok(hotels.some((h) => h.hotelId === "h-lisbon-pt-1"), hotels.map((h) => h.hotelId).join(", "));
});

test("a catalog whose SearchHotels leaves the rooms out fails search's pact", async () => {
  const real = realCatalog();
  const server = await serveCatalog({
    ...real,
    async searchHotels(ctx, req) {
      const found = create(SearchHotelsResponseSchema, await real.searchHotels(ctx, req));
      for (const hotel of found.hotels) hotel.rooms = [];
      return found;
    },
  });
  const failure = await verifyProvider("catalog", server.url, catalogStates(), {
    pactFiles: [`${PACTS_DIR}search-catalog.json`],
    bearerTokens: await bearerTokensOf("search"),
  }).then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  assert.ok(failure, "verification passed against a catalog whose hotels have no rooms");
  assert.match(failure.message, "a keyword search for hotels in a city");
  assert.match(failure.message, "Actual map is missing the following keys: rooms");
  assert.not.match(failure.message, "a list of a route's flights on a date");
});

test.run();
