// The fare cache on real PostgreSQL with a fake sellers service: a hit asks
// nothing; a miss asks once however many requests wait for it; the TTL comes
// from the rule (growing with the days to departure) with ±4 % jitter; an
// expired entry is asked again; sellers down means stale fares when cached,
// else Unavailable.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, unavailable } from "../../endpoints/errors.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { QuoteFlightsRequest } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { addDays, dateMessage, isoDate } from "./dates.js";
import { until } from "../../platform/processes.testing.js";
import { failure, pricingFixture, type PricingFixture } from "./fixture.js";

let f: PricingFixture;
let draw = 0.5; // the jitter's random: 0.5 is no jitter, 0 is -4 %, just under 1 is +4 %
const START = new Date("2026-03-02T10:00:00Z");
test.before(async () => {
  f = await pricingFixture({ now: START, random: () => draw });
});
test.after(async () => {
  await f.close();
});
test.before.each(() => {
  f.clock.now = START;
  draw = 0.5;
  f.sellers.calls.flights.length = 0;
  f.sellers.quoteFlights = async (_ctx, req) => answer(req);
});

let price = 12_300n;
function answer(req: QuoteFlightsRequest, sellers = ["skylark", "wanderly"]) {
  return {
    fares: sellers.map((sellerId) => ({
      flightId: `SL123-${isoDate(req.departureDate!)}`,
      sellerId,
      cabin: "economy",
      price: { amountMinor: price, currency: "EUR" },
      seatsLeft: 9,
      source: PriceSource.LIVE,
    })),
    unavailableSellers: [],
  };
}

let routes = 0;
/** A route nobody asked for yet (so that tests do not share cache entries). */
function route(daysAhead: number) {
  routes++;
  return { origin: "LIS", destination: `M${String.fromCharCode(65 + Math.floor(routes / 26))}${String.fromCharCode(65 + (routes % 26))}`, departureDate: dateMessage(addDays(f.today(), daysAhead)) };
}

const fares = (req: ReturnType<typeof route>) => f.client.getFlightFares(f.ctx, req);
const ttlSeconds = (expire: Parameters<typeof timestampDate>[0] | undefined) => (timestampDate(expire!).getTime() - f.clock.now.getTime()) / 1000;
const later = (seconds: number) => (f.clock.now = new Date(f.clock.now.getTime() + seconds * 1000));

test("a miss asks the sellers once and answers LIVE; a hit within the TTL asks nothing and answers FRESH", async () => {
  const r = route(3);
  const first = await fares(r);
  assert.equal(first.fares.map((x) => [x.sellerId, x.price?.amountMinor, x.source]), [
    ["skylark", 12_300n, PriceSource.LIVE],
    ["wanderly", 12_300n, PriceSource.LIVE],
  ]);
  assert.is(ttlSeconds(first.expireTime), 600, "3 days to departure: 10 minutes");
  assert.is(f.sellers.calls.flights.length, 1);

  later(599);
  const second = await fares(r);
  assert.equal(second.fares.map((x) => x.source), [PriceSource.FRESH, PriceSource.FRESH]);
  assert.equal(second.expireTime, first.expireTime);
  assert.is(f.sellers.calls.flights.length, 1, "a hit makes no sellers call");
});

test("the TTL grows with the days to departure, and its jitter stays within ±4 %", async () => {
  const expected: [number, number][] = [[0, 60], [1, 60], [5, 600], [20, 3600], [60, 21600], [300, 21600]];
  for (const [days, seconds] of expected) {
    draw = 0.5;
    assert.is(ttlSeconds((await fares(route(days))).expireTime), seconds, `${days} days ahead`);
    draw = 0;
    assert.is(ttlSeconds((await fares(route(days))).expireTime), (seconds * 960) / 1000, `${days} days ahead, -4 %`);
    draw = 0.999_999;
    const high = ttlSeconds((await fares(route(days))).expireTime);
    assert.ok(high > seconds * 1.039 && high <= seconds * 1.04, `${days} days ahead, +4 % (${high})`);
  }
});

test("10 concurrent misses of one key make exactly one sellers call", async () => {
  // The sellers answer only once all ten requests have missed the cache: each looks the entry up once, and each
  // flight once more before asking; a request whose look-up has answered has joined a flight.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  f.sellers.quoteFlights = async (_ctx, req) => {
    await released;
    return answer(req);
  };
  const lookUp = f.store.cachedFares;
  let lookedUp = 0;
  f.store.cachedFares = async (key) => {
    const found = await lookUp.call(f.store, key);
    lookedUp++;
    return found;
  };
  try {
    const r = route(10);
    const all = Promise.all(Array.from({ length: 10 }, () => fares(r)));
    await until("ten misses and a flight asking the sellers", () => (lookedUp >= 11 && f.sellers.calls.flights.length > 0 ? true : undefined));
    release();
    const answers = await all;
    assert.is(f.sellers.calls.flights.length, 1);
    assert.ok(answers.every((a) => a.fares.length === 2 && a.fares[0]!.price?.amountMinor === 12_300n), "every request got the fares");
  } finally {
    f.store.cachedFares = lookUp;
  }
});

test("an expired entry is asked again", async () => {
  const r = route(3);
  await fares(r);
  later(601);
  price = 15_000n;
  const again = await fares(r);
  price = 12_300n;
  assert.is(f.sellers.calls.flights.length, 2);
  assert.equal(again.fares.map((x) => [x.price?.amountMinor, x.source]), [
    [15_000n, PriceSource.LIVE],
    [15_000n, PriceSource.LIVE],
  ]);
  assert.is(ttlSeconds(again.expireTime), 600);
});

test("sellers down: an expired entry answers STALE; with nothing cached the call fails Unavailable", async () => {
  const r = route(3);
  const cached = await fares(r);
  later(700);
  f.sellers.quoteFlights = () => Promise.reject(unavailable("sellers is down"));
  const stale = await fares(r);
  assert.equal(stale.fares.map((x) => [x.sellerId, x.price?.amountMinor, x.source]), [
    ["skylark", 12_300n, PriceSource.STALE],
    ["wanderly", 12_300n, PriceSource.STALE],
  ]);
  assert.equal(stale.expireTime, cached.expireTime, "it says when it expired");

  const e = await failure(fares(route(3)));
  assert.is(e.code, Code.Unavailable);
  assert.match(e.message, /no fares are cached/);

  f.sellers.quoteFlights = async () => ({ fares: [], unavailableSellers: ["skylark", "wanderly"] });
  assert.equal((await fares(r)).fares.map((x) => x.source), [PriceSource.STALE, PriceSource.STALE], "no seller answering is no answer");
  assert.is(f.sellers.calls.flights.length, 4, "every miss asked the sellers");
});

test("a seller missing from the answer keeps its last fares, marked STALE, and the entry is asked again within a minute", async () => {
  const r = route(60);
  await fares(r);
  later(21_601);
  f.sellers.quoteFlights = async (_ctx, req) => ({ ...answer(req, ["skylark"]), unavailableSellers: ["wanderly"] });
  const partial = await fares(r);
  assert.equal(partial.fares.map((x) => [x.sellerId, x.source]), [
    ["skylark", PriceSource.LIVE],
    ["wanderly", PriceSource.STALE],
  ]);
  assert.is(ttlSeconds(partial.expireTime), 60);
});

test.run();
