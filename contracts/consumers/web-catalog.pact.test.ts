// web → catalog: what the BFF's search forms and hotel page
// (services/web/discovery.ts, airports.ts, prices.ts) need from
// CatalogService, written by running the BFF (web-harness.ts) for a browser
// with the catalog method under test over Connect JSON against Pact's mock
// server.
//
// SearchHotels (SuggestDestinations): the text typed, 40 hotels asked; the
// BFF makes cities of their city_id, city_name, country_name (or
// country_code) and hotels of their name. GetHotels (GetHotel, whose quotes
// StartBooking books): that the hotel exists (search then prices it by id),
// and when search does not list it the page as the catalog lists it — stars, country,
// the first image, amenities, and each room's id, name and occupancy, all
// unpriced. ListAirports (the BFF's ListAirports): one call, every airport
// with its city and country.
// No call carries a token, and no error code is handled: a failure is the
// page's "could not reach".
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, Matchers, withBearer } from "../pact.js";
import { day, overWire } from "./calls.js";
import { withBff, type Wired } from "./web-harness.js";

const { eachLike, integer, like, regex } = Matchers;
const LISBON = { cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", countryName: "Portugal" };
const STAY = { checkIn: day("2027-03-10"), checkOut: day("2027-03-13") };
let pact: ConsumerPact;

/** What the BFF answers a visitor's browser for `method`, with the catalog's `wired` methods over the wire. */
const bffAnswers = (wired: Wired["catalog"], method: string, body: unknown) =>
  withBff({ catalog: wired ?? {} }, async (bff) => {
    const answer = await (await bff.visitor()).call(method, body);
    if (answer.status !== 200) throw new Error(`${method} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    // any: the BFF's JSON as the browser reads it.
    return answer.body as any;
  });

test.before(async () => {
  pact = await consumerPact("web", "catalog");
});
test.after(async () => {
  await pact?.close();
});

test("destinations as the traveller types: the cities of the hotels found, then the hotels", async () => {
  const answer = await pact
    .interaction()
    .given("hotels exist in a city", LISBON)
    .uponReceiving("a keyword search for the destinations typed so far")
    .withRequest(...withBearer(connectRequest(CatalogService.method.searchHotels, { query: "Lisb", pageSize: 40 })))
    .willRespondWith(
      ...connectResponse({
        hotels: eachLike({
          name: like("Casa Lisbon"),
          cityId: like(LISBON.cityId),
          cityName: like(LISBON.cityName),
          countryCode: regex(/^[A-Z]{2}$/, LISBON.countryCode),
          countryName: like(LISBON.countryName),
        }),
      }),
    )
    .executeTest((mock) => bffAnswers({ searchHotels: overWire(CatalogService, mock.url, "web").searchHotels }, "SuggestDestinations", { text: " Lisb" }));
  assert.equal(
    answer.destinations.map((d: { label: string; kind: string; detail: string }) => [d.label, d.kind, d.detail]),
    [
      ["Lisbon", "city", "Portugal"],
      ["Casa Lisbon", "hotel", "Lisbon, Portugal"],
    ],
  );
});

test("a hotel page: the listing search is asked about, shown unpriced when search does not list it", async () => {
  const answer = await pact
    .interaction()
    .given("hotels exist in a city", LISBON)
    .uponReceiving("a hotel's listing by its id")
    .withRequest(...withBearer(connectRequest(CatalogService.method.getHotels, { hotelIds: ["h-lisbon-pt-1"] })))
    .willRespondWith(
      ...connectResponse({
        hotels: eachLike({
          hotelId: regex(/^h-lisbon-pt-1$/, "h-lisbon-pt-1"),
          name: like("Casa Lisbon"),
          cityName: like(LISBON.cityName),
          countryCode: regex(/^[A-Z]{2}$/, LISBON.countryCode),
          starRating: integer(4),
          imageUrls: eachLike(regex(/^https?:\/\/\S+$/, "https://img.sandbox.itinera.test/lisbon-pt-1/1.jpg")),
          amenities: eachLike("pool"),
          rooms: eachLike({ roomId: like("DBL-STD"), name: like("Double room"), maxOccupancy: integer(2) }),
        }),
      }),
    )
    .executeTest((mock) =>
      bffAnswers({ getHotels: overWire(CatalogService, mock.url, "web").getHotels }, "GetHotel", { hotelId: "h-lisbon-pt-1", ...STAY }),
    );
  assert.equal(answer.degraded, ["search"], "the in-memory search lists other hotels");
  assert.equal(
    [answer.hotel.name, answer.hotel.starRating, answer.hotel.imageUrl, answer.hotel.amenities],
    ["Casa Lisbon", 4, "https://img.sandbox.itinera.test/lisbon-pt-1/1.jpg", ["pool"]],
  );
  assert.equal(answer.hotel.rooms.map((r: { roomId: string; price: { status: string } }) => [r.roomId, r.price.status]), [["DBL-STD", "PRICE_STATUS_MISSING"]]);
});

test("the airport list: every airport in one call, each with its city and country", async () => {
  const answer = await pact
    .interaction()
    .given("airports exist", { codes: ["LIS", "MAD"] })
    .uponReceiving("the list of every airport")
    .withRequest(...withBearer(connectRequest(CatalogService.method.listAirports, {})))
    .willRespondWith(
      ...connectResponse({
        airports: eachLike({ code: regex(/^[A-Z]{3}$/, "LIS"), cityName: like("Lisbon"), countryCode: regex(/^[A-Z]{2}$/, "PT") }),
      }),
    )
    .executeTest((mock) => bffAnswers({ listAirports: overWire(CatalogService, mock.url, "web").listAirports }, "ListAirports", {}));
  assert.equal(answer.airports, [{ code: "LIS", cityName: "Lisbon", countryCode: "PT" }]);
});

test("the pact is the committed contracts/pacts/web-catalog.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
