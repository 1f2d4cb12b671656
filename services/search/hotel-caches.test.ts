// Hotel search with its caches (hotel-caches.ts) over the fakes: what is
// kept, what never is (the wallet, degraded answers), and what the change
// signals of pricing and the catalog drop (cache-signals.ts, decoded from the
// payloads they send).
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotelsChangedSchema } from "../../gen/itinera/catalog/v1/events_pb.js";
import { HotelPricesChangedSchema } from "../../gen/itinera/pricing/v1/events_pb.js";
import { unavailable } from "../../endpoints/errors.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { cacheSignals, HOTEL_PRICES_CHANNEL, HOTELS_CHANNEL } from "./cache-signals.js";
import { flightCaches } from "./flight-caches.js";
import { hotelCaches } from "./hotel-caches.js";
import { day, hotelOffer, OFFERS, RICH, searchFixture, type SearchFixtureOptions } from "./fixture.js";

const lisbon = (query = "Lisbon", checkIn = "2026-12-05", checkOut = "2026-12-08") => ({ query: { query, checkIn: day(checkIn), checkOut: day(checkOut) } });

function cachedFixture(opts: SearchFixtureOptions = {}) {
  const caches = hotelCaches({ ttlMs: 60_000, maxEntries: 100 });
  const f = searchFixture({ ...opts, caches });
  const signals = new Map(cacheSignals({ hotels: caches, flights: flightCaches({ ttlMs: 60_000, maxEntries: 100 }) }).map((s) => [s.channel, s]));
  /** Delivers a signal as listenForSignals would: the base64 payload the publisher sent. */
  const send = <D extends DescMessage>(channel: string, schema: D, init: MessageInitShape<D>) =>
    signals.get(channel)!.handle(Buffer.from(toBinary(schema, create(schema, init))).toString("base64"));
  return { f, caches, send };
}

test("the catalog and pricing are asked once for the same query and stay; the wallet on every search, each customer their own markdown", async () => {
  const { f } = cachedFixture();
  const rich = (await f.search.searchHotels(f.as(RICH), lisbon())).results!;
  const visitor = (await f.search.searchHotels(f.ctx, lisbon("  LISBON "))).results!;
  const poor = (await f.search.searchHotels(f.as("c-nothing"), lisbon())).results!;
  assert.equal(f.catalog.searched, ["Lisbon"], "one listing: case and spaces do not matter");
  assert.is(f.pricing.hotelRequests.length, 1, "one pricing call");
  assert.equal(f.wallet.asked, [RICH, "c-nothing"], "the wallet is asked on every customer's search");
  const double = (r: typeof rich) => r.hotels.find((h) => h.hotelId === "h-P000001")!.rooms.find((x) => x.roomId === "DBL-STD")!.price!;
  assert.equal([double(rich).markdown!.amountMinor, double(rich).price!.amountMinor], [10000n, 40000n]);
  assert.equal([double(poor).markdown!.amountMinor, double(poor).price!.amountMinor], [0n, 50000n]);
  assert.is(double(visitor).quote, "", "a visitor's price carries no quote");
  assert.ok(double(rich).quote !== double(poor).quote && double(poor).quote !== "", "each customer's quote is their own");
});

test("another page size or query is another listing; another stay, other offers", async () => {
  const { f } = cachedFixture();
  await f.search.searchHotels(f.ctx, lisbon());
  await f.search.searchHotels(f.ctx, lisbon("Lisbon", "2026-12-06", "2026-12-08"));
  await f.search.searchHotels(f.ctx, { query: { ...lisbon().query, pageSize: 5 } });
  await f.search.searchHotels(f.ctx, lisbon("Portugal"));
  assert.equal(f.catalog.searched, ["Lisbon", "Lisbon", "Portugal"], "another page size or query: another listing");
  assert.is(f.pricing.hotelRequests.length, 2, "two stays; the same hotels over the same stay share their offers, whatever the query");
});

test("offers with a STALE price are not kept, nor a page where a hotel has no offer, nor a degraded answer", async () => {
  const stale = cachedFixture({ offers: OFFERS.map((o) => (o.hotelId === "h-P000002" ? { ...o, source: PriceSource.STALE } : o)) });
  await stale.f.search.searchHotels(stale.f.ctx, lisbon());
  await stale.f.search.searchHotels(stale.f.ctx, lisbon());
  assert.is(stale.f.pricing.hotelRequests.length, 2, "a stale price: asked again");

  const priceless = cachedFixture({ offers: OFFERS.filter((o) => o.hotelId !== "h-P000002") });
  await priceless.f.search.searchHotels(priceless.f.ctx, lisbon());
  await priceless.f.search.searchHotels(priceless.f.ctx, lisbon());
  assert.is(priceless.f.pricing.hotelRequests.length, 2, "a hotel without an offer: asked again");

  const { f } = cachedFixture();
  f.pricing.behaviour.fail = unavailable("pricing is down");
  const degraded = (await f.search.searchHotels(f.ctx, lisbon())).results!;
  assert.equal(degraded.degraded, ["pricing"]);
  f.pricing.behaviour.fail = undefined;
  const whole = (await f.search.searchHotels(f.ctx, lisbon())).results!;
  assert.equal(whole.degraded, [], "the failure was not kept");
  await f.search.searchHotels(f.ctx, lisbon());
  assert.is(f.pricing.hotelRequests.length, 2, "the answer after it was");
});

test("pricing's signal drops the offers of its hotels over its nights, and no others", async () => {
  const { f, send } = cachedFixture();
  await f.search.searchHotels(f.ctx, lisbon());
  send(HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema, { hotelIds: ["h-P000001"], firstNight: day("2026-12-08"), lastNight: day("2026-12-20") });
  await f.search.searchHotels(f.ctx, lisbon());
  assert.is(f.pricing.hotelRequests.length, 1, "8 December is the day of departure, not a night of the stay");
  send(HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema, { hotelIds: ["h-P000003"], firstNight: day("2026-12-01"), lastNight: day("2026-12-20") });
  await f.search.searchHotels(f.ctx, lisbon());
  assert.is(f.pricing.hotelRequests.length, 1, "Gran Via is not in Lisbon's listing");
  send(HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema, { hotelIds: ["h-P000002", "h-P000001"], firstNight: day("2026-12-07"), lastNight: day("2026-12-07") });
  await f.search.searchHotels(f.ctx, lisbon());
  assert.is(f.pricing.hotelRequests.length, 2, "the last night of the stay changed: asked again");
  assert.equal(f.catalog.searched, ["Lisbon"], "prices do not change listings");
});

test("the catalog's signal drops every listing and the offers of its hotels", async () => {
  const { f, send } = cachedFixture();
  await f.search.searchHotels(f.ctx, lisbon());
  await f.search.searchHotels(f.ctx, lisbon("Madrid"));
  send(HOTELS_CHANNEL, HotelsChangedSchema, { hotelIds: ["h-P000003"] });
  await f.search.searchHotels(f.ctx, lisbon());
  await f.search.searchHotels(f.ctx, lisbon("Madrid"));
  assert.equal(f.catalog.searched, ["Lisbon", "Madrid", "Lisbon", "Madrid"], "every listing asked again");
  assert.equal(f.pricing.hotelRequests.map((r) => r.hotelIds.join(",")), ["h-P000001,h-P000002", "h-P000003", "h-P000003"], "only Gran Via's offers asked again");
});

test("a sold-out room's new price shows once pricing signals it", async () => {
  const offers = [...OFFERS];
  const { f, send } = cachedFixture({ offers });
  const price = async () => (await f.search.searchHotels(f.ctx, lisbon())).results!.hotels.find((h) => h.hotelId === "h-P000002")!.fromPrice!.listed!.amountMinor;
  assert.is(await price(), 47000n);
  offers.splice(offers.findIndex((o) => o.hotelId === "h-P000002" && o.sellerId === "wanderly"), 1, hotelOffer("h-P000002", "DBL-STD", "wanderly", 49000n, 1));
  assert.is(await price(), 47000n, "kept until told");
  send(HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema, { hotelIds: ["h-P000002"], firstNight: day("2026-12-05"), lastNight: day("2026-12-07") });
  assert.is(await price(), 49000n);
});

test.run();
