// search → pricing: what search's hotel and flight plans
// (services/search/hotels.ts, flights.ts, offers.ts) need from
// PricingService, written by running search itself with the pricing method
// under test over a Connect JSON client against Pact's mock server
// (search-harness.ts; the catalog part answers from memory).
//
// GetHotelOffers: each offer's hotel_id and room_id (joined with the
// catalog's rooms), seller_id, total in EUR (other currencies are ignored),
// available, source (STALE is shown as such) and promotion. GetFlightFares:
// flight_id (joined with the catalog's flights), seller_id, cabin, price in
// EUR, seats_left and source. Unavailable from GetFlightFares (nothing
// cached, no seller answering) degrades the search: prices MISSING, not an error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { PriceSource, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { PriceStatus } from "../../gen/itinera/search/v1/search_pb.js";
import { connectError, connectRequest, connectResponse, consumerPact, type ConsumerPact, int64String, Matchers, withBearer } from "../pact.js";
import { ctx, day, overWire } from "./calls.js";
import { searchOver } from "./search-harness.js";

const { eachLike, integer, like, regex } = Matchers;
const NOT_STALE = /^PRICE_SOURCE_(FRESH|LIVE)$/;
const FLIGHT_ID = /^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/;

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("search", "pricing");
});
test.after(async () => {
  await pact?.close();
});

/** What search asks for a city's hotels; live_budget_ms is what is left of search's own budget, any number. */
function offersRequest(hotelId: string, checkIn: string, checkOut: string) {
  return withBearer(connectRequest(
    PricingService.method.getHotelOffers,
    { hotelIds: [hotelId], checkIn: day(checkIn), checkOut: day(checkOut), liveBudgetMs: 900 },
    (json) => ({ ...json, liveBudgetMs: integer(900) }),
  ));
}

const hotelSearch = (url: string, query: string, checkIn: string, checkOut: string) =>
  searchOver({ pricing: { getHotelOffers: overWire(PricingService, url, "search").getHotelOffers } }).searchHotels(ctx, {
    query: { query, checkIn: day(checkIn), checkOut: day(checkOut) },
  });

test("a stay's precomputed offers: search shows the cheapest with its seller and promotion", async () => {
  const res = await pact
    .interaction()
    .given("a hotel room has a precomputed price with a promotion", {
      hotelId: "h-P000001",
      roomId: "DBL-STD",
      sellerId: "casa",
      checkIn: "2027-04-12",
      checkOut: "2027-04-17",
    })
    .uponReceiving("the offers for a stay in a city's hotels")
    .withRequest(...offersRequest("h-P000001", "2027-04-12", "2027-04-17"))
    .willRespondWith(
      ...connectResponse({
        offers: eachLike({
          hotelId: "h-P000001",
          roomId: like("DBL-STD"),
          sellerId: like("casa"),
          total: { amountMinor: int64String("54000"), currency: "EUR" },
          available: integer(3),
          source: regex(NOT_STALE, "PRICE_SOURCE_FRESH"),
          promotion: like("early-bird"),
        }),
      }),
    )
    .executeTest((mock) => hotelSearch(mock.url, "Lisbon", "2027-04-12", "2027-04-17"));
  const room = res?.results?.hotels[0]?.rooms[0];
  assert.equal(
    [room?.roomId, room?.offerCount, room?.price?.listed?.amountMinor, room?.price?.listed?.currency],
    ["DBL-STD", 1, 54000n, "EUR"],
  );
  assert.equal(
    [room?.price?.status, room?.price?.sellerId, room?.price?.promotion, room?.price?.price?.amountMinor],
    [PriceStatus.FRESH, "casa", "early-bird", 54000n],
  );
  assert.equal(res?.results?.degraded, []);
});

test("an invalidated room price: search shows it marked stale", async () => {
  const res = await pact
    .interaction()
    .given("a hotel room's price was invalidated", {
      hotelId: "h-P000002",
      roomId: "DBL-STD",
      sellerId: "casa",
      checkIn: "2027-03-10",
      checkOut: "2027-03-12",
    })
    .uponReceiving("the offers for a stay, one of them stale")
    .withRequest(...offersRequest("h-P000002", "2027-03-10", "2027-03-12"))
    .willRespondWith(
      ...connectResponse({
        offers: eachLike({
          hotelId: "h-P000002",
          roomId: like("DBL-STD"),
          sellerId: like("casa"),
          total: { amountMinor: int64String("24000"), currency: "EUR" },
          available: integer(2),
          source: "PRICE_SOURCE_STALE",
        }),
      }),
    )
    .executeTest((mock) => hotelSearch(mock.url, "Porto", "2027-03-10", "2027-03-12"));
  const price = res?.results?.hotels[0]?.rooms[0]?.price;
  assert.equal([price?.status, price?.listed?.amountMinor, price?.sellerId], [PriceStatus.STALE, 24000n, "casa"]);
});

const flightSearch = (url: string, origin: string, destination: string) =>
  searchOver({ pricing: { getFlightFares: overWire(PricingService, url, "search").getFlightFares } }).searchFlights(ctx, {
    query: { origin, destination, departureDate: day("2027-03-10") },
  });

test("a route's fares: search shows each flight's cheapest fare, cabin and seats", async () => {
  const res = await pact
    .interaction()
    .given("fares are cached for a route and date", {
      origin: "LIS",
      destination: "MAD",
      departureDate: "2027-03-10",
      flightNumber: "SL123",
      sellerId: "skylark",
    })
    .uponReceiving("the fares of a route on a date")
    .withRequest(
      ...withBearer(connectRequest(PricingService.method.getFlightFares, { origin: "LIS", destination: "MAD", departureDate: day("2027-03-10") })),
    )
    .willRespondWith(
      ...connectResponse({
        fares: eachLike({
          flightId: regex(FLIGHT_ID, "SL123-2027-03-10"),
          sellerId: like("skylark"),
          cabin: like("economy"),
          price: { amountMinor: int64String("9900"), currency: "EUR" },
          seatsLeft: integer(4),
          source: regex(NOT_STALE, "PRICE_SOURCE_FRESH"),
        }),
      }),
    )
    .executeTest((mock) => flightSearch(mock.url, "LIS", "MAD"));
  const flight = res?.results?.outbound[0];
  assert.equal(
    [flight?.flightId, flight?.cabin, flight?.seatsLeft, flight?.source, flight?.offerCount],
    ["SL123-2027-03-10", "economy", 4, PriceSource.FRESH, 1],
  );
  assert.equal([flight?.price?.status, flight?.price?.listed?.amountMinor, flight?.price?.sellerId], [PriceStatus.FRESH, 9900n, "skylark"]);
});

test("no fares to be had (Unavailable): search still answers, prices missing and pricing named degraded", async () => {
  const res = await pact
    .interaction()
    .given("no fares are cached for a route and date, and no seller answers", {
      origin: "MAD",
      destination: "LIS",
      departureDate: "2027-03-10",
    })
    .uponReceiving("the fares of a route nobody can price now")
    .withRequest(
      ...withBearer(connectRequest(PricingService.method.getFlightFares, { origin: "MAD", destination: "LIS", departureDate: day("2027-03-10") })),
    )
    .willRespondWith(...connectError(Code.Unavailable))
    .executeTest((mock) => flightSearch(mock.url, "MAD", "LIS"));
  const flight = res?.results?.outbound[0];
  assert.equal([flight?.flightId, flight?.price?.status], ["SL124-2027-03-10", PriceStatus.MISSING]);
  assert.equal(res?.results?.degraded, ["pricing"]);
});

test("the pact is the committed contracts/pacts/search-pricing.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
