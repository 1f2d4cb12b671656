// sellers → pricing: the nightly rates sellers writes
// (services/sellers/ingestion.ts, Ingestion.writeRates, used by pulls and
// pushes alike), written by running that code over a Connect JSON client
// against Pact's mock server.
//
// The request is the contract: each rate names our hotel and room, the
// night as a calendar date, a price already converted to EUR minor units
// (pricing stores nothing else) and the rooms left. The answer's counts are
// not read by sellers: a success is all it needs.
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { localClient } from "../../endpoints/service.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { NightlyRateSchema, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { Ingestion } from "../../services/sellers/ingestion.js";
import { ctx, overWire } from "./calls.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, int64String, Matchers, withBearer } from "../pact.js";

const { eachLike, integer, like, regex } = Matchers;
let pact: ConsumerPact;

/** Two nights of a room as casa's adapter reads them: EUR minor units. */
const RATES = [10, 11].map((day, i) =>
  create(NightlyRateSchema, {
    hotelId: "h-P000003",
    roomId: "DBL-STD",
    night: { year: 2027, month: 3, day },
    price: { amountMinor: BigInt(9_500 + 500 * i), currency: "EUR" },
    available: 4 - i,
  }),
);

const obj = (v: JsonValue | undefined) => v as JsonObject;

/** A rate in the form pricing accepts, examples from `r`. */
function rateTemplate(r: JsonObject) {
  const night = obj(r.night);
  const price = obj(r.price);
  return {
    hotelId: regex(/^h-[A-Za-z0-9]+$/, String(r.hotelId)),
    roomId: like(String(r.roomId)),
    night: { year: integer(Number(night.year)), month: integer(Number(night.month)), day: integer(Number(night.day)) },
    price: { amountMinor: int64String(String(price.amountMinor)), currency: "EUR" },
    available: integer(Number(r.available)),
  };
}

/** Sellers' ingestion with pricing at `url`; catalog is not called when writing rates. */
function ingestion(url: string): Ingestion {
  const noCatalog = () => Promise.reject(new KitError(Code.Unimplemented, "writing rates never calls catalog"));
  const catalog = localClient(CatalogService, {
    upsertHotels: noCatalog,
    upsertFlights: noCatalog,
    searchHotels: noCatalog,
    getHotels: noCatalog,
    listFlights: noCatalog,
    getAirports: noCatalog,
    listAirports: noCatalog,
  });
  return new Ingestion({ catalog, pricing: overWire(PricingService, url, "sellers") });
}

test.before(async () => {
  pact = await consumerPact("sellers", "pricing");
});
test.after(async () => {
  await pact?.close();
});

test("a seller's nightly rates, in EUR, a room's nights together", async () => {
  const sent = await pact
    .interaction()
    .uponReceiving("a seller's nightly rates")
    .withRequest(
      ...withBearer(connectRequest(PricingService.method.ingestHotelRates, { sellerId: "casa", rates: RATES }, (json) => ({
        sellerId: regex(/^[a-z][a-z0-9-]*$/, String(json.sellerId)),
        rates: eachLike(rateTemplate(obj((json.rates as JsonValue[])[0]))),
      }))),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => ingestion(mock.url).writeRates(ctx, "casa", RATES));
  assert.is(sent, 2);
});

test("the pact is the committed contracts/pacts/sellers-pricing.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
