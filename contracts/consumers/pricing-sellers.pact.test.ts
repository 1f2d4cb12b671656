// pricing → sellers: what pricing's live quotes (services/pricing/live-quotes.ts
// for hotel stays, flight-fares.ts for fares) need from SellersService,
// written by running pricing's own service, on its own PostgreSQL store,
// with the sellers client over Connect JSON against Pact's mock server.
//
// QuoteHotelStay: each offer's hotel_id (an offer of another hotel is
// dropped), room_id, seller_id, total in EUR and available; pricing passes
// them on as LIVE offers. QuoteFlights: each fare's flight_id, seller_id,
// cabin, price in EUR and seats_left, stored as LIVE; and
// unavailable_sellers: when some seller did not answer, the cached answer
// lives at most a minute; when none answered and there are no fares,
// pricing answers Unavailable instead of caching an empty route.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { localClient } from "../../endpoints/service.js";
import { PriceSource, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { PARTIAL_TTL_MS } from "../../services/pricing/flight-fares.js";
import { pricingFixture, type PricingFixture } from "../../services/pricing/fixture.js";
import { PricingRules } from "../../services/pricing/rules.js";
import { pricingService } from "../../services/pricing/service.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, int64String, Matchers, withBearer } from "../pact.js";
import { ctx, day, overWire } from "./calls.js";

const { eachLike, integer, like, regex } = Matchers;
const FLIGHT_ID = /^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/;
/** Pricing's "now": 9 days before the fares' date, so that its ttl rule gives an hour. */
const CLOCK = new Date("2027-03-01T10:00:00Z");
const HOUR_MS = 3_600_000;

let pact: ConsumerPact;
let f: PricingFixture;
let rules: PricingRules;

/** Pricing's real service over its real store, asking the sellers at `url`; no TTL jitter. */
function pricingAsking(url: string) {
  const sellers = overWire(SellersService, url, "pricing");
  return localClient(PricingService, pricingService({ store: f.store, sellers, rules, now: () => CLOCK, random: () => 0.5 }));
}

const fareTemplate = {
  flightId: regex(FLIGHT_ID, "SL102-2027-03-10"),
  sellerId: like("skylark"),
  cabin: like("economy"),
  price: { amountMinor: int64String("8225"), currency: "EUR" },
  seatsLeft: integer(8),
};

const faresRequest = (origin: string, destination: string, date: string) =>
  withBearer(connectRequest(SellersService.method.quoteFlights, { origin, destination, departureDate: day(date) }));

const fareRequestOf = (origin: string, destination: string, date: string) => ({ origin, destination, departureDate: day(date) });

test.before(async () => {
  pact = await consumerPact("pricing", "sellers");
  f = await pricingFixture({ now: CLOCK });
  rules = await PricingRules.load(() => f.store.activeRules());
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("a stay pricing has no totals for: the sellers' live offers, passed on as LIVE", async () => {
  const res = await pact
    .interaction()
    .given("a hotel sells rooms for a stay", { hotelId: "h-P000002", checkIn: "2027-03-10", checkOut: "2027-03-12" })
    .uponReceiving("a live quote for a hotel stay")
    .withRequest(
      ...withBearer(connectRequest(SellersService.method.quoteHotelStay, { hotelId: "h-P000002", checkIn: day("2027-03-10"), checkOut: day("2027-03-12") })),
    )
    .willRespondWith(
      ...connectResponse({
        offers: eachLike({
          hotelId: "h-P000002",
          roomId: like("DBL-STD"),
          sellerId: like("casa"),
          total: { amountMinor: int64String("24000"), currency: "EUR" },
          available: integer(2),
        }),
      }),
    )
    .executeTest((mock) =>
      pricingAsking(mock.url).getHotelOffers(ctx, {
        hotelIds: ["h-P000002"],
        checkIn: day("2027-03-10"),
        checkOut: day("2027-03-12"),
        liveBudgetMs: 5_000,
      }),
    );
  assert.equal(
    res?.offers.map((o) => [o.hotelId, o.roomId, o.sellerId, o.total?.amountMinor, o.total?.currency, o.available, o.source]),
    [["h-P000002", "DBL-STD", "casa", 24000n, "EUR", 2, PriceSource.LIVE]],
  );
});

test("a route every seller answers for: the fares, cached for the ttl rule's hour", async () => {
  const res = await pact
    .interaction()
    .given("sellers fly a route on a date", { origin: "OPO", destination: "LIS", departureDate: "2027-03-10" })
    .uponReceiving("a live quote for a route's fares")
    .withRequest(...faresRequest("OPO", "LIS", "2027-03-10"))
    .willRespondWith(...connectResponse({ fares: eachLike(fareTemplate) }))
    .executeTest((mock) => pricingAsking(mock.url).getFlightFares(ctx, fareRequestOf("OPO", "LIS", "2027-03-10")));
  assert.equal(
    res?.fares.map((x) => [x.flightId, x.sellerId, x.cabin, x.price?.amountMinor, x.price?.currency, x.seatsLeft, x.source]),
    [["SL102-2027-03-10", "skylark", "economy", 8225n, "EUR", 8, PriceSource.LIVE]],
  );
  assert.is(timestampDate(res!.expireTime!).getTime() - CLOCK.getTime(), HOUR_MS);
});

test("a route one seller does not answer for: the others' fares, cached for a minute only", async () => {
  const res = await pact
    .interaction()
    .given("sellers fly a route on a date, one of them does not answer", {
      origin: "LIS",
      destination: "OPO",
      departureDate: "2027-03-10",
      downSeller: "wanderly",
    })
    .uponReceiving("a live quote for a route's fares, a seller missing")
    .withRequest(...faresRequest("LIS", "OPO", "2027-03-10"))
    .willRespondWith(...connectResponse({ fares: eachLike({ ...fareTemplate, flightId: regex(FLIGHT_ID, "SL101-2027-03-10") }), unavailableSellers: eachLike("wanderly") }))
    .executeTest((mock) => pricingAsking(mock.url).getFlightFares(ctx, fareRequestOf("LIS", "OPO", "2027-03-10")));
  assert.equal(res?.fares.map((x) => [x.flightId, x.source]), [["SL101-2027-03-10", PriceSource.LIVE]]);
  assert.is(timestampDate(res!.expireTime!).getTime() - CLOCK.getTime(), PARTIAL_TTL_MS);
});

test("a route no seller answers for: no fares, and pricing answers Unavailable rather than cache nothing", async () => {
  const error = await pact
    .interaction()
    .given("no seller of a route answers", { origin: "OPO", destination: "LIS", departureDate: "2027-03-11" })
    .uponReceiving("a live quote for a route's fares, no seller answering")
    .withRequest(...faresRequest("OPO", "LIS", "2027-03-11"))
    .willRespondWith(...connectResponse({ unavailableSellers: eachLike("skylark") }))
    .executeTest((mock) =>
      pricingAsking(mock.url)
        .getFlightFares(ctx, fareRequestOf("OPO", "LIS", "2027-03-11"))
        .then(() => undefined, (e: unknown) => e),
    );
  assert.instance(error, KitError);
  assert.is((error as KitError).code, Code.Unavailable);
  assert.is(await f.store.cachedFares({ origin: "OPO", destination: "LIS", departureDate: "2027-03-11" }), undefined);
});

test("the pact is the committed contracts/pacts/pricing-sellers.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
