// SkyLark's adapter against a fake SkyLark on a real HTTP server: each JSON
// shape of the sandbox API becomes exactly the catalog and pricing messages
// expected — local times at each airport's zone as UTC instants (a DST day
// included), USD decimal fares as EUR minor units.
import { toJson } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { silentContext } from "../../../endpoints/testing.js";
import { AirportSchema, FlightSchema, type Flight } from "../../../gen/itinera/catalog/v1/catalog_pb.js";
import { FlightFareSchema } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Listings } from "../adapter.js";
import { parseDate } from "../calendar.js";
import { startFakeSeller, type FakeSeller } from "../test/fake-seller.js";
import { FxTable, SANDBOX_FX_RATES } from "../fx.js";
import { skylarkAdapter } from "./skylark.js";

const AIRPORTS = {
  airports: [
    { iata: "LIS", name: "Humberto Delgado", city: "Lisbon", country: "PT", tz: "Europe/Lisbon" },
    { iata: "JFK", name: "John F. Kennedy", city: "New York", country: "US", tz: "America/New_York" },
    { iata: "MAD", name: "Adolfo Suárez Madrid–Barajas", city: "Madrid", country: "ES", tz: "Europe/Madrid" },
  ],
};
const ROUTES = { routes: [{ from: "LIS", to: "JFK" }, { from: "LIS", to: "MAD" }] };
const flight = (number: string, from: string, to: string, date: string, departs: string, arrives: string) => ({
  carrier: "SL", carrier_name: "SkyLark Air", number, from, to, date, departs, arrives,
  aircraft: "Airbus A321XLR", services: ["meal", "wifi"],
});
const SCHEDULES: Record<string, unknown> = {
  "LIS-JFK": {
    flights: [
      // Lisbon is on summer time (+1) since 01:00 UTC that morning; New York on EDT (-4).
      flight("SL100", "LIS", "JFK", "2026-03-29", "2026-03-29T08:15", "2026-03-29T10:40"),
      flight("SL100", "LIS", "JFK", "2026-12-01", "2026-12-01T08:15", "2026-12-01T11:00"),
    ],
  },
  // Arrives the next local day, in a zone an hour ahead.
  "LIS-MAD": { flights: [flight("SL200", "LIS", "MAD", "2026-12-01", "2026-12-01T23:30", "2026-12-02T01:45")] },
};
const FARES = {
  currency: "USD",
  fares: [
    { number: "SL100", date: "2026-12-01", cabin: "economy", price: "123.45", seats: 12 },
    { number: "SL100", date: "2026-12-01", cabin: "business", price: "999.99", seats: 2 },
  ],
};

const QUOTED_AT = new Date("2026-11-20T10:00:00Z");

async function withSkylark(work: (fake: FakeSeller, adapter: ReturnType<typeof skylarkAdapter>) => Promise<void>) {
  const fake = await startFakeSeller({
    "/v1/airports": () => ({ body: AIRPORTS }),
    "/v1/routes": () => ({ body: ROUTES }),
    "/v1/schedules": (url) => ({ body: SCHEDULES[`${url.searchParams.get("from")}-${url.searchParams.get("to")}`] ?? { flights: [] } }),
    "/v1/fares": () => ({ body: FARES }),
  });
  const adapter = skylarkAdapter({
    sellerId: "skylark",
    baseUrl: fake.url,
    fx: new FxTable(SANDBOX_FX_RATES),
    throttle: { ratePerSecond: 100, burst: 10 },
    now: () => QUOTED_AT,
  });
  try {
    await work(fake, adapter);
  } finally {
    adapter.close();
    await fake.close();
  }
}

async function allPages(pages: AsyncIterable<Listings>): Promise<Listings[]> {
  const out: Listings[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

test("airports, routes and schedules become catalog airports and flights with UTC instants", () =>
  withSkylark(async (fake, adapter) => {
    const pages = await allPages(adapter.pullListings!(silentContext()));
    assert.is(pages.length, 1);
    const page = pages[0]!;
    assert.equal(page.hotels, []);
    assert.equal(page.airports.map((a) => toJson(AirportSchema, a)), [
      { code: "LIS", name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" },
      { code: "JFK", name: "John F. Kennedy", cityId: "new-york-us", cityName: "New York", countryCode: "US", timeZone: "America/New_York" },
      { code: "MAD", name: "Adolfo Suárez Madrid–Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" },
    ]);
    const byId = new Map(page.flights.map((f: Flight) => [f.flightId, toJson(FlightSchema, f)]));
    assert.equal([...byId.keys()].sort(), ["SL100-2026-03-29", "SL100-2026-12-01", "SL200-2026-12-01"]);
    assert.equal(byId.get("SL100-2026-03-29"), {
      flightId: "SL100-2026-03-29",
      carrierCode: "SL",
      carrierName: "SkyLark Air",
      flightNumber: "SL100",
      origin: "LIS",
      destination: "JFK",
      departureTime: "2026-03-29T07:15:00Z",
      arrivalTime: "2026-03-29T14:40:00Z",
      departureDate: { year: 2026, month: 3, day: 29 },
      aircraft: "Airbus A321XLR",
      cabinServices: ["meal", "wifi"],
      sellerIds: ["skylark"],
    });
    const winter = byId.get("SL100-2026-12-01") as Record<string, unknown>;
    assert.is(winter.departureTime, "2026-12-01T08:15:00Z");
    assert.is(winter.arrivalTime, "2026-12-01T16:00:00Z");
    const late = byId.get("SL200-2026-12-01") as Record<string, unknown>;
    assert.is(late.departureTime, "2026-12-01T23:30:00Z");
    assert.is(late.arrivalTime, "2026-12-02T00:45:00Z");
    assert.equal(late.departureDate, { year: 2026, month: 12, day: 1 }); // the local date at the origin
    assert.equal(
      fake.requests.filter((r) => r.path === "/v1/schedules").map((r) => `${r.query.get("from")}-${r.query.get("to")}`).sort(),
      ["LIS-JFK", "LIS-MAD"],
    );
  }));

test("fares in USD decimal strings become live EUR fares in minor units", () =>
  withSkylark(async (fake, adapter) => {
    const fares = await adapter.quoteFlights!(silentContext(), { origin: "LIS", destination: "JFK" }, parseDate("2026-12-01"));
    assert.equal(fares.map((f) => toJson(FlightFareSchema, f)), [
      {
        flightId: "SL100-2026-12-01",
        sellerId: "skylark",
        cabin: "economy",
        price: { amountMinor: "11357", currency: "EUR" }, // 12345 × 0.92 = 11357.4
        seatsLeft: 12,
        source: "PRICE_SOURCE_LIVE",
        priceTime: "2026-11-20T10:00:00Z",
      },
      {
        flightId: "SL100-2026-12-01",
        sellerId: "skylark",
        cabin: "business",
        price: { amountMinor: "91999", currency: "EUR" }, // 99999 × 0.92 = 91999.08
        seatsLeft: 2,
        source: "PRICE_SOURCE_LIVE",
        priceTime: "2026-11-20T10:00:00Z",
      },
    ]);
    const asked = fake.requests.find((r) => r.path === "/v1/fares")!;
    assert.equal(Object.fromEntries(asked.query), { from: "LIS", to: "JFK", date: "2026-12-01" });
  }));

test("a schedule naming an airport the seller never listed, or a bad time, fails with what was wrong", () =>
  withSkylark(async (fake, adapter) => {
    fake.routes["/v1/schedules"] = () => ({ body: { flights: [flight("SL9", "LIS", "XXX", "2026-12-01", "2026-12-01T08:00", "2026-12-01T09:00")] } });
    let error = await allPages(adapter.pullListings!(silentContext())).catch((e: unknown) => e);
    assert.match(String(error), /flights\[0\]: airport XXX is not among the seller's airports/);
    fake.routes["/v1/schedules"] = () => ({ body: { flights: [flight("SL9", "LIS", "MAD", "2026-12-01", "08:00", "2026-12-01T09:00")] } });
    error = await allPages(adapter.pullListings!(silentContext())).catch((e: unknown) => e);
    assert.match(String(error), /flights\[0\].*not a local time/);
  }));

test.run();
