// Flight search with its caches (flight-caches.ts) over the fakes: airports
// and flights kept until the catalog signals a change, fares until the
// expiry pricing gives them, the wallet never.
import { create, toBinary } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlightsChangedSchema } from "../../gen/itinera/catalog/v1/events_pb.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { cacheSignals, FLIGHTS_CHANNEL } from "./cache-signals.js";
import { flightCaches } from "./flight-caches.js";
import { hotelCaches } from "./hotel-caches.js";
import { day, FARES, RICH, searchFixture } from "./fixture.js";

const roundTrip = { query: { origin: "LIS", destination: "MAD", departureDate: day("2026-12-05"), returnDate: day("2026-12-08") } };

function cachedFixture() {
  const caches = flightCaches({ ttlMs: 60_000, maxEntries: 100 });
  const f = searchFixture({ flightCaches: caches });
  f.pricing.fareExpiry = new Date(Date.now() + 60_000);
  const signals = cacheSignals({ hotels: hotelCaches({ ttlMs: 60_000, maxEntries: 100 }), flights: caches });
  const flightsChanged = () =>
    signals.find((s) => s.channel === FLIGHTS_CHANNEL)!.handle(Buffer.from(toBinary(FlightsChangedSchema, create(FlightsChangedSchema, { flights: 1 }))).toString("base64"));
  return { f, flightsChanged };
}

test("the same trip twice: the catalog and pricing asked once per leg, the wallet each time, the same results", async () => {
  const { f } = cachedFixture();
  const first = (await f.search.searchFlights(f.as(RICH), roundTrip)).results!;
  const second = (await f.search.searchFlights(f.as(RICH), roundTrip)).results!;
  assert.equal(f.catalog.flightCalls, ["airports LIS,MAD", "flights LIS-MAD", "flights MAD-LIS"]);
  assert.equal(f.pricing.fareRequests.map((r) => `${r.origin}-${r.destination}`), ["LIS-MAD", "MAD-LIS"]);
  assert.equal(f.wallet.asked, [RICH, RICH]);
  const prices = (r: typeof first) => [...r.outbound, ...r.inbound].map((x) => `${x.flightId} ${x.price!.price?.amountMinor}`);
  assert.equal(prices(second), prices(first));
});

test("fares go at the expiry pricing gave them; without one, or with a STALE fare, they are not kept", async () => {
  const { f } = cachedFixture();
  f.pricing.fareExpiry = new Date(Date.now() - 1);
  await f.search.searchFlights(f.ctx, roundTrip);
  await f.search.searchFlights(f.ctx, roundTrip);
  assert.is(f.pricing.fareRequests.length, 4, "already expired: asked again");
  f.pricing.fareExpiry = undefined;
  await f.search.searchFlights(f.ctx, roundTrip);
  await f.search.searchFlights(f.ctx, roundTrip);
  assert.is(f.pricing.fareRequests.length, 8, "no expiry: not kept");
  f.pricing.fareExpiry = new Date(Date.now() + 60_000);
  const stale = FARES["MAD-LIS"]![0]!;
  FARES["MAD-LIS"]![0] = { ...stale, source: PriceSource.STALE };
  try {
    await f.search.searchFlights(f.ctx, roundTrip);
    await f.search.searchFlights(f.ctx, roundTrip);
  } finally {
    FARES["MAD-LIS"]![0] = stale;
  }
  assert.equal(f.pricing.fareRequests.slice(8).map((r) => `${r.origin}-${r.destination}`), ["LIS-MAD", "MAD-LIS", "MAD-LIS"], "the stale leg asked again, the other kept");
  assert.equal(f.catalog.flightCalls.length, 3, "airports and flights kept throughout");
});

test("the catalog's flights signal drops the airports and flights, not the fares", async () => {
  const { f, flightsChanged } = cachedFixture();
  await f.search.searchFlights(f.ctx, roundTrip);
  flightsChanged();
  await f.search.searchFlights(f.ctx, roundTrip);
  assert.is(f.catalog.flightCalls.length, 6);
  assert.is(f.pricing.fareRequests.length, 2);
});

test.run();
