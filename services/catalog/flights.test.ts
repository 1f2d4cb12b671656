// UpsertFlights, ListFlights and GetAirports on real PostgreSQL.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Flight } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { catalogFixture, NEW_YORK_ALIASES, hotel, type CatalogFixture } from "./fixture.js";
import { flight, JFK, LGA, LIS, MAD, OPO } from "./flights.fixture.js";

let c: CatalogFixture;
test.before(async () => {
  c = await catalogFixture();
});
test.after(async () => {
  await c?.close();
});

const DEC1 = { year: 2026, month: 12, day: 1 };
const schedule = [
  flight("SL300", LIS, MAD, "2026-12-01T18:00:00Z", "2026-12-01T20:20:00Z"),
  flight("SL100", LIS, MAD, "2026-12-01T06:15:00Z", "2026-12-01T08:40:00Z"),
  flight("SL200", LIS, MAD, "2026-12-01T12:00:00Z", "2026-12-01T14:25:00Z"),
  flight("SL100", LIS, MAD, "2026-12-02T06:15:00Z", "2026-12-02T08:40:00Z"),
  flight("SL500", MAD, LIS, "2026-12-01T09:00:00Z", "2026-12-01T09:20:00Z"),
  flight("SL700", LIS, JFK, "2026-12-01T10:00:00Z", "2026-12-01T18:30:00Z"),
];
const route = async (origin: string, destination: string, departureDate = DEC1) =>
  (await c.client.listFlights(c.ctx, { origin, destination, departureDate })).flights;
const departures = (flights: Flight[]) => flights.map((f) => `${f.flightId}@${timestampDate(f.departureTime!).toISOString().slice(11, 16)}`);

test("upsert counts; the same upsert again changes nothing", async () => {
  const first = await c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights: schedule, airports: [LIS, MAD, JFK, LGA, OPO] });
  assert.equal([first.created, first.updated], [6, 0]);
  const counts = await c.counts();
  assert.equal([counts.flights, counts.flight_sellers, counts.airports], [6, 6, 5]);
  const again = await c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights: schedule, airports: [LIS, MAD, JFK, LGA, OPO] });
  assert.equal([again.created, again.updated], [0, 0]);
  assert.equal(await c.counts(), counts);
});

test("ListFlights: one route, one local date, by departure time, whole flights", async () => {
  const flights = await route("LIS", "MAD");
  assert.equal(departures(flights), ["SL100-2026-12-01@06:15", "SL200-2026-12-01@12:00", "SL300-2026-12-01@18:00"]);
  const f = flights[0]!;
  assert.equal(
    [f.carrierCode, f.carrierName, f.flightNumber, f.origin, f.destination, f.departureDate, f.aircraft, f.cabinServices, f.sellerIds],
    ["SL", "SkyLark Air", "SL100", "LIS", "MAD", { $typeName: "itinera.type.v1.Date", ...DEC1 }, "Airbus A320neo", ["meal", "wifi"], ["skylark"]],
  );
  assert.is(timestampDate(f.arrivalTime!).toISOString(), "2026-12-01T08:40:00.000Z");
  assert.equal(departures(await route("MAD", "LIS")), ["SL500-2026-12-01@09:00"]);
  assert.equal(await route("LIS", "OPO"), []);
  assert.equal(departures(await route("LIS", "MAD", { year: 2026, month: 12, day: 2 })), ["SL100-2026-12-02@06:15"]);
});

test("a second seller of a flight adds its id; a change of schedule moves the flight", async () => {
  const wanderly = flight("SL200", LIS, MAD, "2026-12-01T12:00:00Z", "2026-12-01T14:25:00Z");
  const res = await c.client.upsertFlights(c.ctx, { sellerId: "wanderly", flights: [wanderly] });
  assert.equal([res.created, res.updated], [0, 1]);
  assert.equal((await route("LIS", "MAD"))[1]!.sellerIds, ["skylark", "wanderly"]);

  const delayed = flight("SL100", LIS, MAD, "2026-12-01T13:00:00Z", "2026-12-01T15:30:00Z", { aircraft: "Airbus A321neo" });
  const moved = await c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights: [delayed] });
  assert.equal([moved.created, moved.updated], [0, 1]);
  const flights = await route("LIS", "MAD");
  assert.equal(departures(flights), ["SL200-2026-12-01@12:00", "SL100-2026-12-01@13:00", "SL300-2026-12-01@18:00"]);
  assert.is(flights[1]!.aircraft, "Airbus A321neo");
});

test("GetAirports by codes: in the order asked, unknown ones left out", async () => {
  const { airports } = await c.client.getAirports(c.ctx, { codes: ["MAD", "XXX", "LIS"] });
  assert.equal(airports.map((a) => a.code), ["MAD", "LIS"]);
  assert.equal(
    [airports[1]!.name, airports[1]!.cityId, airports[1]!.cityName, airports[1]!.countryCode, airports[1]!.timeZone],
    ["Humberto Delgado", "lisbon-pt", "Lisbon", "PT", "Europe/Lisbon"],
  );
});

test("ListAirports: every airport in one answer, by code", async () => {
  const { airports } = await c.client.listAirports(c.ctx, {});
  const codes = airports.map((a) => a.code);
  assert.ok(codes.includes("LIS") && codes.includes("MAD"), codes.join());
  assert.equal(codes, [...codes].sort(), "by code");
  const lis = airports.find((a) => a.code === "LIS")!;
  assert.equal([lis.name, lis.cityName, lis.timeZone], ["Humberto Delgado", "Lisbon", "Europe/Lisbon"]);
});

test("GetAirports by words: the code, a city, an alias, a name's start, a typo", async () => {
  const codes = async (query: string) => (await c.client.getAirports(c.ctx, { query })).airports.map((a) => a.code);
  assert.equal((await codes("lis"))[0], "LIS");
  assert.equal(await codes("Lisbon"), ["LIS"]);
  assert.equal((await codes("new york")).slice(0, 2), ["JFK", "LGA"]);
  assert.equal((await codes("barajas")), ["MAD"]);
  assert.equal((await codes("madrd"))[0], "MAD");
  assert.equal((await codes("Sa Carneiro"))[0], "OPO", "accents do not matter");
  // Aliases come with hotels (UpsertHotels); airports of the city match them.
  await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: [hotel("h-P006", "Manhattan Grand", "new-york-us")], cityAliases: NEW_YORK_ALIASES });
  assert.equal((await codes("NYC")).slice(0, 2), ["JFK", "LGA"]);
  assert.equal(await codes("zzqx"), []);
});

test.run();
