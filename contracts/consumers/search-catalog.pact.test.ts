// search → catalog: what search's hotel and flight plans
// (services/search/hotels.ts, flights.ts) need from CatalogService, written
// by running search itself with the catalog method under test over a
// Connect JSON client against Pact's mock server (search-harness.ts).
//
// SearchHotels: search shows hotel_id, name, city_name, country_code,
// star_rating, the first of image_urls, amenities, and each room's room_id,
// name and max_occupancy, and the total_count of matches (next_page_token,
// when there is one, is passed on as it is); an empty answer (no hotels field at all) is a
// listing without hotels. GetHotels (a stay priced for hotel ids): the same
// of each hotel asked, known ones only. ListFlights: flight_id (joined with pricing's
// fares), flight_number, carrier_name, origin, destination, the departure
// and arrival instants, aircraft. GetAirports: each known code with its
// IANA time zone (search shows local times in it); an unknown code is left
// out, and search then rejects the query naming the field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceStatus } from "../../gen/itinera/search/v1/search_pb.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, Matchers, withBearer } from "../pact.js";
import { ctx, day, overWire } from "./calls.js";
import { searchOver } from "./search-harness.js";

const { eachLike, integer, like, regex, arrayContaining } = Matchers;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const FLIGHT_ID = /^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/;
const STAY = { checkIn: day("2027-03-10"), checkOut: day("2027-03-12") };

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("search", "catalog");
});
test.after(async () => {
  await pact?.close();
});

test("hotels in a city: search shows what the catalog lists of each hotel and its rooms", async () => {
  const results = await pact
    .interaction()
    .given("hotels exist in a city", { cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", countryName: "Portugal" })
    .uponReceiving("a keyword search for hotels in a city")
    .withRequest(...withBearer(connectRequest(CatalogService.method.searchHotels, { query: "Lisbon", pageSize: 20 })))
    .willRespondWith(
      ...connectResponse({
        hotels: eachLike({
          hotelId: like("h-P000001"),
          name: like("Casa Alfama"),
          cityName: like("Lisbon"),
          countryCode: regex(/^[A-Z]{2}$/, "PT"),
          starRating: integer(4),
          imageUrls: eachLike(regex(/^https?:\/\/\S+$/, "https://img.sandbox.itinera.test/P000001/1.jpg")),
          amenities: eachLike("pool"),
          rooms: eachLike({ roomId: like("DBL-STD"), name: like("Double room"), maxOccupancy: integer(2) }),
        }),
        totalCount: integer(1),
      }),
    )
    .executeTest(async (mock) => {
      const search = searchOver({ catalog: { searchHotels: overWire(CatalogService, mock.url, "search").searchHotels } });
      return (await search.searchHotels(ctx, { query: { query: "Lisbon", ...STAY } })).results;
    });
  assert.is(results?.hotels.length, 1);
  const hotel = results!.hotels[0]!;
  assert.equal(
    [hotel.hotelId, hotel.name, hotel.cityName, hotel.countryCode, hotel.starRating, hotel.imageUrl, hotel.amenities],
    ["h-P000001", "Casa Alfama", "Lisbon", "PT", 4, "https://img.sandbox.itinera.test/P000001/1.jpg", ["pool"]],
  );
  assert.equal(
    hotel.rooms.map((r) => [r.roomId, r.name, r.maxOccupancy, r.price?.status]),
    [["DBL-STD", "Double room", 2, PriceStatus.MISSING]],
  );
  assert.equal(results!.degraded, []);
  assert.is(results!.totalCount, 1, "the catalog's total is search's");
});

test("a query nothing matches: no hotels field, which search reads as an empty listing", async () => {
  const results = await pact
    .interaction()
    .given("no hotel matches a query", { query: "Atlantis" })
    .uponReceiving("a keyword search that matches no hotel")
    .withRequest(...withBearer(connectRequest(CatalogService.method.searchHotels, { query: "Atlantis", pageSize: 20 })))
    .willRespondWith(...connectResponse({}))
    .executeTest(async (mock) => {
      const search = searchOver({ catalog: { searchHotels: overWire(CatalogService, mock.url, "search").searchHotels } });
      return (await search.searchHotels(ctx, { query: { query: "Atlantis", ...STAY } })).results;
    });
  assert.equal([results?.hotels, results?.degraded, results?.complete], [[], [], true]);
});

test("hotels by id: search prices the stay for the hotels the catalog knows of those asked", async () => {
  const results = await pact
    .interaction()
    .given("hotels exist in a city", { cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", countryName: "Portugal" })
    .uponReceiving("the hotels of a stay priced by hotel id")
    .withRequest(...withBearer(connectRequest(CatalogService.method.getHotels, { hotelIds: ["h-lisbon-pt-1"] })))
    .willRespondWith(
      ...connectResponse({
        hotels: eachLike({
          hotelId: "h-lisbon-pt-1",
          name: like("Casa Alfama"),
          cityName: like("Lisbon"),
          countryCode: regex(/^[A-Z]{2}$/, "PT"),
          starRating: integer(4),
          imageUrls: eachLike(regex(/^https?:\/\/\S+$/, "https://img.sandbox.itinera.test/lisbon-pt-1/1.jpg")),
          amenities: eachLike("pool"),
          rooms: eachLike({ roomId: like("DBL-STD"), name: like("Double room"), maxOccupancy: integer(2) }),
        }),
      }),
    )
    .executeTest(async (mock) => {
      const search = searchOver({ catalog: { getHotels: overWire(CatalogService, mock.url, "search").getHotels } });
      return (await search.searchHotels(ctx, { query: { hotelIds: ["h-lisbon-pt-1"], ...STAY } })).results;
    });
  assert.equal(
    results?.hotels.map((h) => [h.hotelId, h.name, h.rooms.map((r) => r.roomId)]),
    [["h-lisbon-pt-1", "Casa Alfama", ["DBL-STD"]]],
  );
  assert.equal([results?.totalCount, results?.nextPageToken], [1, ""]);
});

test("a route's flights on a date: search shows each flight at local times", async () => {
  const results = await pact
    .interaction()
    .given("flights exist on a route and date", { origin: "LIS", destination: "MAD", departureDate: "2027-03-10", flightNumber: "SL123" })
    .uponReceiving("a list of a route's flights on a date")
    .withRequest(
      ...withBearer(connectRequest(CatalogService.method.listFlights, { origin: "LIS", destination: "MAD", departureDate: day("2027-03-10") })),
    )
    .willRespondWith(
      ...connectResponse({
        flights: eachLike({
          flightId: regex(FLIGHT_ID, "SL123-2027-03-10"),
          flightNumber: like("SL123"),
          carrierName: like("SkyLark Air"),
          origin: "LIS",
          destination: "MAD",
          departureTime: regex(RFC3339_UTC, "2027-03-10T08:15:00Z"),
          arrivalTime: regex(RFC3339_UTC, "2027-03-10T09:30:00Z"),
          aircraft: like("Airbus A320neo"),
        }),
      }),
    )
    .executeTest(async (mock) => {
      const search = searchOver({ catalog: { listFlights: overWire(CatalogService, mock.url, "search").listFlights } });
      return (await search.searchFlights(ctx, { query: { origin: "LIS", destination: "MAD", departureDate: day("2027-03-10") } })).results;
    });
  assert.equal(
    results?.outbound.map((f) => [f.flightId, f.flightNumber, f.carrierName, f.origin, f.destination, f.departureLocal, f.arrivalLocal, f.aircraft]),
    [["SL123-2027-03-10", "SL123", "SkyLark Air", "LIS", "MAD", "2027-03-10T08:15:00+00:00", "2027-03-10T10:30:00+01:00", "Airbus A320neo"]],
  );
});

test("both airports known: search reads each one's time zone", async () => {
  const results = await pact
    .interaction()
    .given("airports exist", { codes: ["LIS", "MAD"] })
    .uponReceiving("the airports of a flight search")
    .withRequest(...withBearer(connectRequest(CatalogService.method.getAirports, { codes: ["LIS", "MAD"] })))
    .willRespondWith(
      ...connectResponse({
        airports: arrayContaining(
          { code: "LIS", timeZone: like("Europe/Lisbon") },
          { code: "MAD", timeZone: like("Europe/Madrid") },
        ),
      }),
    )
    .executeTest(async (mock) => {
      const search = searchOver({ catalog: { getAirports: overWire(CatalogService, mock.url, "search").getAirports } });
      return (await search.searchFlights(ctx, { query: { origin: "LIS", destination: "MAD", departureDate: day("2027-03-10") } })).results;
    });
  assert.equal(
    results?.outbound.map((f) => [f.departureLocal, f.arrivalLocal]),
    [["2027-03-10T08:15:00+00:00", "2027-03-10T10:30:00+01:00"]],
  );
});

test("an unknown airport: the catalog leaves it out, and search rejects the query naming the field", async () => {
  const error = await pact
    .interaction()
    .given("an airport code is unknown", { known: "LIS", unknown: "ZZZ" })
    .uponReceiving("the airports of a flight search, one of them unknown")
    .withRequest(...withBearer(connectRequest(CatalogService.method.getAirports, { codes: ["LIS", "ZZZ"] })))
    .willRespondWith(...connectResponse({ airports: [{ code: "LIS", timeZone: like("Europe/Lisbon") }] }))
    .executeTest(async (mock) => {
      const search = searchOver({ catalog: { getAirports: overWire(CatalogService, mock.url, "search").getAirports } });
      const query = { origin: "LIS", destination: "ZZZ", departureDate: day("2027-03-10") };
      return search.searchFlights(ctx, { query }).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
  assert.instance(error, KitError);
  const kit = error as KitError;
  assert.is(kit.code, Code.InvalidArgument);
  assert.equal(kit.violations.map((v) => v.field), ["query.destination"]);
});

test("the pact is the committed contracts/pacts/search-catalog.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
