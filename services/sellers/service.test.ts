// The sellers service on real PostgreSQL, its real adapters against fake
// sellers on real HTTP servers, and fake catalog and pricing that record
// what they are sent: pulls are written in batches within the limits; quotes
// answer from the sellers that answer and list the others; the breaker opens
// and closes; look-to-book shows in ListSellers and in metrics; ListSellers
// shows an operator each seller's latest failures and its last pull's outcome.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { until } from "../../platform/processes.testing.js";
import { FeedKind } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { parseDate } from "./calendar.js";
import { startFakeSellers, HOTEL_CODES, type FakeSellers } from "./fake-sellers.fixture.js";
import { sellersFixture, type SellersFixture } from "./fixture.js";

const NOW = new Date("2026-11-20T10:00:00Z");
const now = () => NOW;
const STAY = { checkIn: parseDate("2026-12-01"), checkOut: parseDate("2026-12-03") };

async function withService(
  opts: { batchLimits?: { hotels?: number; flights?: number; rates?: number }; quoteTimeoutMs?: number },
  work: (f: SellersFixture, sellers: FakeSellers) => Promise<void>,
) {
  const sellers = await startFakeSellers();
  let fixture: SellersFixture | undefined;
  try {
    fixture = await sellersFixture({ adapters: sellers.adapters({ now }), now, ...opts });
    await work(fixture, sellers);
  } finally {
    await fixture?.close();
    await sellers.close();
  }
}

test("SyncSeller writes a hotel seller's listings and rates to catalog and pricing in batches within the limits", () =>
  withService({ batchLimits: { hotels: 2, rates: 4 } }, async (f) => {
    const result = await f.client.syncSeller(f.ctx, { sellerId: "casa" });
    assert.equal([result.hotels, result.flights, result.rates], [5, 0, 10]);
    assert.equal(f.catalog.hotels.map((r) => r.hotels.length), [2, 2, 1]);
    assert.ok(f.catalog.hotels.every((r) => r.sellerId === "casa"));
    assert.equal(f.catalog.hotels.flatMap((r) => r.hotels.map((h) => h.hotelId)), HOTEL_CODES.map((c) => `h-${c}`));
    // Aliases go with the batches of their cities: the seller's and the built-in ones.
    const nyBatch = f.catalog.hotels.find((r) => r.hotels.some((h) => h.cityId === "new-york-us"))!;
    assert.equal(nyBatch.cityAliases["new-york-us"]?.aliases.slice(0, 3), ["NY", "NYC", "New York City"]);
    assert.equal(f.catalog.hotels[0]!.cityAliases["lisbon-pt"]?.aliases, ["Lisboa"]);
    assert.equal(f.pricing.rates.map((r) => r.rates.length), [4, 4, 2]);
    const first = f.pricing.rates[0]!.rates[0]!;
    assert.equal([first.hotelId, first.roomId, first.price?.amountMinor, first.price?.currency], ["h-P000001", "DBL-STD", 10000n, "EUR"]);
    assert.equal([first.night?.year, first.night?.month, first.night?.day], [2026, 11, 20], "the window starts today");
    assert.is((await f.counts()).feeds, 1);
  }));

test("SyncSeller writes an airline's flights with the airports they use, within the flight limit", () =>
  withService({ batchLimits: { flights: 2 } }, async (f) => {
    const result = await f.client.syncSeller(f.ctx, { sellerId: "skylark" });
    assert.equal([result.hotels, result.flights, result.rates], [0, 3, 0]);
    assert.equal(f.catalog.flights.map((r) => r.flights.length), [2, 1]);
    assert.equal(f.catalog.flights.map((r) => r.airports.map((a) => a.code).sort()), [["JFK", "LIS"], ["LIS", "MAD"]]);
    assert.is(f.pricing.rates.length, 0);
    const sellers = (await f.client.listSellers(f.ctx, {})).sellers;
    const skylark = sellers.find((s) => s.sellerId === "skylark")!;
    assert.is(skylark.feed, FeedKind.PULL);
    assert.is(skylark.lastSyncTime?.seconds, BigInt(NOW.getTime() / 1000));
    assert.is(sellers.find((s) => s.sellerId === "casa")!.lastSyncTime, undefined);
  }));

test("SyncSeller refuses push sellers and unknown sellers; bad input names the field", () =>
  withService({}, async (f) => {
    assert.is((await kitRejection(f.client.syncSeller(f.ctx, { sellerId: "wanderly" }))).code, Code.FailedPrecondition);
    assert.is((await kitRejection(f.client.syncSeller(f.ctx, { sellerId: "nobody" }))).code, Code.NotFound);
    const bad = await kitRejection(f.client.syncSeller(f.ctx, { sellerId: "" }));
    assert.equal(bad.violations.map((v) => v.field), ["seller_id"]);
    const quote = await kitRejection(
      f.client.quoteHotelStay(f.ctx, { hotelId: "", checkIn: STAY.checkOut, checkOut: STAY.checkIn }),
    );
    assert.equal(quote.violations.map((v) => `${v.field}:${v.rule}`), ["hotel_id:required", "check_out:date_order"]);
    const past = await kitRejection(
      f.client.quoteFlights(f.ctx, { origin: "lis", destination: "MAD", departureDate: parseDate("2026-01-01") }),
    );
    assert.equal(past.violations.map((v) => `${v.field}:${v.rule}`), ["origin:pattern", "departure_date:not_past"]);
    const same = await kitRejection(f.client.quoteFlights(f.ctx, { origin: "LIS", destination: "LIS", departureDate: STAY.checkIn }));
    assert.equal(same.violations.map((v) => `${v.field}:${v.rule}`), ["destination:distinct"]);
    const long = await kitRejection(
      f.client.quoteHotelStay(f.ctx, { hotelId: "h-P1", checkIn: STAY.checkIn, checkOut: parseDate("2027-03-15") }),
    );
    assert.equal(long.violations.map((v) => `${v.field}:${v.rule}`), ["check_out:range"]);
  }));

test("a live hotel quote answers from the sellers that answer and lists the failing, throttled and slow ones", () =>
  withService({ quoteTimeoutMs: 400 }, async (f, sellers) => {
    const ask = () => f.client.quoteHotelStay(f.ctx, { hotelId: "h-P000002", ...STAY });
    let answer = await ask();
    assert.equal(answer.offers.map((o) => [o.sellerId, o.roomId, o.total?.amountMinor, o.source]).sort(), [
      ["casa", "DBL-STD", 20000n, 2],
      ["wanderly", "DBL-STD", 18720n, 2], // 2 × GBP 80.00 × 1.17
    ]);
    assert.equal(answer.unavailableSellers, []);

    // A seller that does not know the hotel (casa answers 404) has nothing to offer, and is not unavailable.
    answer = await f.client.quoteHotelStay(f.ctx, { hotelId: "h-P999999", ...STAY });
    assert.equal(answer.offers.map((o) => o.sellerId), ["wanderly"]);
    assert.equal(answer.unavailableSellers, []);

    // A seller that never answers: the answer comes at all only because it did not wait for that seller.
    for (const mode of [{ kind: "fail" }, { kind: "throttle", retryAfterSeconds: 30 }, { kind: "silent" }] as const) {
      sellers.wanderly.mode = mode;
      answer = await ask();
      assert.equal(answer.offers.map((o) => o.sellerId), ["casa"], mode.kind);
      assert.equal(answer.unavailableSellers, ["wanderly"], mode.kind);
    }
  }));

test("quotes ask the sellers known to sell the hotel, and those whose data never arrived", () =>
  withService({}, async (f, sellers) => {
    await f.client.syncSeller(f.ctx, { sellerId: "casa" }); // casa lists P000001–5
    let answer = await f.client.quoteHotelStay(f.ctx, { hotelId: "h-P000001", ...STAY });
    assert.equal(answer.offers.map((o) => o.sellerId).sort(), ["casa", "wanderly"], "wanderly never reported: asked");
    await f.store.recordArrival("wanderly", NOW); // wanderly's data arrived, without P000001
    const before = sellers.wanderly.count("/api/quote/hotel");
    answer = await f.client.quoteHotelStay(f.ctx, { hotelId: "h-P000001", ...STAY });
    assert.equal(answer.offers.map((o) => o.sellerId), ["casa"]);
    assert.is(sellers.wanderly.count("/api/quote/hotel"), before, "wanderly was not asked");
    await f.store.recordCoverage("wanderly", ["hotel:h-P000001"]);
    answer = await f.client.quoteHotelStay(f.ctx, { hotelId: "h-P000001", ...STAY });
    assert.equal(answer.offers.map((o) => o.sellerId).sort(), ["casa", "wanderly"]);
  }));

test("the breaker opens after repeated failures of a seller, and closes when it recovers; look-to-book is counted", () =>
  withService({}, async (f, sellers) => {
    const ask = () => f.client.quoteFlights(f.ctx, { origin: "LIS", destination: "JFK", departureDate: STAY.checkIn });
    let answer = await ask();
    assert.equal(answer.fares.map((x) => [x.sellerId, x.flightId, x.price?.amountMinor]).sort(), [
      ["skylark", "SL100-2026-12-01", 9200n],
      ["wanderly", "SL100-2026-12-01", 8190n],
    ]);
    sellers.skylark.mode = { kind: "fail" };
    for (let i = 0; i < 3; i++) assert.equal((await ask()).unavailableSellers, ["skylark"]); // the third refused by the breaker
    const state = async () => (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === "skylark")!;
    assert.is((await state()).breakerState, "open");
    const sent = sellers.skylark.count("/v1/fares");
    answer = await ask();
    assert.equal(answer.unavailableSellers, ["skylark"]);
    assert.equal(answer.fares.map((x) => x.sellerId), ["wanderly"]);
    assert.is(sellers.skylark.count("/v1/fares"), sent, "nothing is sent while the breaker is open");

    sellers.skylark.mode = { kind: "normal" };
    // After resetTimeoutMs the breaker lets a probe through: wait for that state change, not for a time.
    await until("skylark's breaker no longer open", async () => ((await state()).breakerState !== "open" ? true : undefined));
    answer = await ask();
    assert.equal(answer.unavailableSellers, []);
    const skylark = await state();
    assert.is(skylark.breakerState, "closed");
    // 1 answered, 2 failed (the breaker opened after 2 of 3 calls failed), 1 answered after recovery.
    assert.is(skylark.searches, BigInt(sellers.skylark.count("/v1/fares")), "what we count is what the seller saw");
    assert.is(skylark.searches, 4n);
    assert.is(skylark.bookings, 0n);
    assert.is(skylark.reliabilityPermille, 500); // 2 answered of 4
    const metrics = await f.registry.metrics();
    assert.match(metrics, /seller_searches_total\{seller="skylark"\} 4/);
    assert.match(metrics, /seller_searches_total\{seller="wanderly"\} 6/);
    assert.match(metrics, /seller_look_to_book\{seller="skylark"\} 4/);
    assert.match(metrics, /seller_searches_total\{seller="casa"\} 0/);
  }));

test("ListSellers shows a failing seller's latest failures (newest first, at most 5), its last pull's outcome and its look-to-book", () =>
  withService({}, async (f, sellers) => {
    const skylarkOf = async () => (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === "skylark")!;
    const fresh = await skylarkOf();
    assert.equal([fresh.recentErrors, fresh.lastSync, fresh.lookToBook], [[], undefined, 0]);

    await f.client.syncSeller(f.ctx, { sellerId: "skylark" });
    assert.equal([(await skylarkOf()).lastSync?.ok, (await skylarkOf()).lastSync?.error], [true, ""]);

    sellers.skylark.mode = { kind: "fail" };
    const pull = await kitRejection(f.client.syncSeller(f.ctx, { sellerId: "skylark" }));
    for (let i = 0; i < 2; i++) await f.client.quoteFlights(f.ctx, { origin: "LIS", destination: "JFK", departureDate: STAY.checkIn });
    const failing = await skylarkOf();
    assert.equal([failing.lastSync?.ok, failing.lastSync?.error, failing.lastSync?.time?.seconds], [false, pull.message, BigInt(NOW.getTime() / 1000)]);
    assert.equal(failing.recentErrors.map((e) => e.operation), ["quote", "quote", "sync"], "newest first");
    assert.ok(failing.recentErrors.every((e) => e.message !== "" && e.message.length <= 300 && e.time?.seconds === BigInt(NOW.getTime() / 1000)));
    assert.is(failing.lookToBook, 2, "two searches, no booking");

    for (let i = 0; i < 6; i++) await kitRejection(f.client.syncSeller(f.ctx, { sellerId: "skylark" }));
    assert.is((await skylarkOf()).recentErrors.length, 5, "the latest five only");
    const casa = (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === "casa")!;
    assert.equal([casa.recentErrors, casa.lastSync], [[], undefined], "one seller's failures are its own");
  }));

test.run();
