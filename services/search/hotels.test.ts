// Hotel search over fake catalog, pricing and wallet (fixture.ts): the
// personal price, the choice among sellers, degradation when pricing or the
// wallet is slow or down, the order of a stream's steps, and bad input.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, unavailable } from "../../endpoints/errors.js";
import { deferred, kitRejection } from "../../endpoints/testing.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { PriceStatus, type HotelResults } from "../../gen/itinera/search/v1/search_pb.js";
import type { CalendarDay } from "./dates.js";
import { day, hotelOffer, RICH, searchFixture } from "./fixture.js";

type Query = { query: string; checkIn?: CalendarDay; checkOut?: CalendarDay; customerId?: string; pageSize?: number };
const lisbon = (q: Partial<Query> = {}): Query => ({
  query: "Lisbon",
  checkIn: day("2026-12-05"),
  checkOut: day("2026-12-08"),
  ...q,
});

/** "hotel/room: listed → price (seller, status)" per room, for readable assertions. */
function summary(results: HotelResults | undefined): string[] {
  return (results?.hotels ?? []).flatMap((h) =>
    h.rooms.map((r) => {
      const p = r.price!;
      const amounts = p.listed ? `${p.listed.amountMinor} → ${p.price!.amountMinor} ${p.sellerId}` : "no price";
      return `${h.hotelId}/${r.roomId}: ${amounts} (${PriceStatus[p.status]}, ${r.offerCount} offers)`;
    }),
  );
}

test("a customer with 100.00 EUR sees a 500.00 room at 400.00; one with no balance sees 500.00", async () => {
  const f = searchFixture();
  const rich = (await f.search.searchHotels(f.as(RICH), { query: lisbon() })).results!;
  const alfama = rich.hotels.find((h) => h.hotelId === "h-P000001")!;
  const double = alfama.rooms.find((r) => r.roomId === "DBL-STD")!.price!;
  assert.is(double.listed!.amountMinor, 50000n);
  assert.is(double.markdown!.amountMinor, 10000n);
  assert.is(double.price!.amountMinor, 40000n);
  assert.is(double.price!.currency, "EUR");
  assert.is(rich.walletAvailable!.amountMinor, 10000n);
  assert.is(rich.walletAvailable!.currency, "EUR");
  assert.equal(rich.degraded, []);
  assert.is(rich.complete, true);

  const poor = (await f.search.searchHotels(f.as("c-nothing"), { query: lisbon() })).results!;
  const same = poor.hotels.find((h) => h.hotelId === "h-P000001")!.rooms.find((r) => r.roomId === "DBL-STD")!.price!;
  assert.is(same.markdown!.amountMinor, 0n);
  assert.is(same.price!.amountMinor, 50000n);
  assert.is(poor.walletAvailable!.amountMinor, 0n);
  assert.equal(f.wallet.asked, [RICH, "c-nothing"], "the wallet is asked on every search, never cached");
});

test("one offer per room: the cheapest valid, a tie to the more reliable seller; hotels in the catalog's ranking", async () => {
  const f = searchFixture();
  const results = (await f.search.searchHotels(f.ctx, { query: lisbon() })).results!;
  assert.equal(summary(results), [
    "h-P000001/DBL-STD: 50000 → 50000 casa (FRESH, 2 offers)",
    // 600.00 from both: casa (980 ‰) before wanderly (950 ‰).
    "h-P000001/TWN-SUP: 60000 → 60000 casa (FRESH, 2 offers)",
    "h-P000001/STE: no price (MISSING, 0 offers)",
    // casa's 450.00 is sold out: wanderly's 470.00 is the cheapest valid offer.
    "h-P000002/DBL-STD: 47000 → 47000 wanderly (FRESH, 2 offers)",
  ]);
  assert.is(results.hotels[1]!.fromPrice!.listed!.amountMinor, 47000n, "a hotel's price is its cheapest room's");
  assert.equal([results.totalCount, results.nextPageToken], [2, ""]);
  assert.is(results.hotels[0]!.imageUrl, "https://img.sandbox.itinera.test/P000001/1.jpg");
  assert.equal(results.hotels[0]!.amenities, ["pool", "free wifi"]);
  assert.is(results.walletAvailable, undefined, "no customer, no wallet call");
  assert.equal(f.wallet.asked, []);
  assert.equal(f.pricing.hotelRequests[0]!.hotelIds, ["h-P000001", "h-P000002"]);
  assert.ok(f.pricing.hotelRequests[0]!.liveBudgetMs > 0, "pricing may ask sellers within what is left");
});

test("a current offer is preferred to a cheaper stale one; a room with only stale offers is marked STALE", async () => {
  const f = searchFixture({
    offers: [
      hotelOffer("h-P000001", "DBL-STD", "wanderly", 30000n, 2, PriceSource.STALE),
      hotelOffer("h-P000001", "DBL-STD", "casa", 50000n, 2, PriceSource.LIVE),
      hotelOffer("h-P000001", "TWN-SUP", "casa", 55000n, 2, PriceSource.STALE),
    ],
  });
  const r = (await f.search.searchHotels(f.ctx, { query: lisbon({ query: "Alfama" }) })).results!;
  assert.equal(summary(r), [
    "h-P000001/DBL-STD: 50000 → 50000 casa (FRESH, 2 offers)",
    "h-P000001/TWN-SUP: 55000 → 55000 casa (STALE, 1 offers)",
    "h-P000001/STE: no price (MISSING, 0 offers)",
  ]);
});

test("pricing slower than its budget: the listing within the deadline, every price MISSING, degraded pricing", async () => {
  const f = searchFixture({ budgets: { pricingMs: 200 } });
  f.pricing.behaviour.delayMs = 20_000;
  const started = Date.now();
  const results = (await f.search.searchHotels(f.as(RICH), { query: lisbon() })).results!;
  assert.ok(Date.now() - started < 10_000, "answered long before pricing would have");
  assert.equal(results.degraded, ["pricing"]);
  assert.is(results.hotels.length, 2);
  for (const h of results.hotels) {
    assert.is(h.fromPrice!.status, PriceStatus.MISSING);
    assert.is(h.fromPrice!.listed, undefined);
    for (const r of h.rooms) assert.is(r.price!.status, PriceStatus.MISSING);
  }
  assert.is(results.walletAvailable!.amountMinor, 10000n, "the wallet still answered");
  assert.is(results.complete, true);
});

test("the wallet down: listed prices without markdown, degraded wallet", async () => {
  const f = searchFixture();
  f.wallet.behaviour.fail = unavailable("the wallet is down");
  const results = (await f.search.searchHotels(f.as(RICH), { query: lisbon() })).results!;
  assert.equal(results.degraded, ["wallet"]);
  assert.is(results.walletAvailable, undefined);
  const double = results.hotels.find((h) => h.hotelId === "h-P000001")!.rooms[0]!.price!;
  assert.is(double.listed!.amountMinor, 50000n);
  assert.is(double.markdown!.amountMinor, 0n);
  assert.is(double.price!.amountMinor, 50000n);
});

test("the catalog down: Unavailable, as there is no listing to show", async () => {
  const f = searchFixture();
  f.catalog.behaviour.fail = unavailable("the catalog is down");
  const e = await kitRejection(f.search.searchHotels(f.ctx, { query: lisbon() }));
  assert.is(e.code, Code.Unavailable);
});

test("a stream sends the listing before pricing answers, then prices, then the markdown, the last complete", async () => {
  const f = searchFixture();
  const pricingGate = deferred();
  const walletGate = deferred();
  f.pricing.behaviour.gate = pricingGate.promise;
  f.wallet.behaviour.gate = walletGate.promise;
  const steps: HotelResults[] = [];
  for await (const step of f.search.streamHotels(f.as(RICH), { query: lisbon() })) {
    steps.push(step.results!);
    if (steps.length === 1) pricingGate.resolve(); // pricing answers only once the first step is out
    if (steps.length === 2) walletGate.resolve();
  }
  assert.is(steps.length, 3);
  const [listing, priced, marked] = steps as [HotelResults, HotelResults, HotelResults];
  assert.is(listing.complete, false);
  assert.ok(listing.hotels.every((h) => h.fromPrice!.status === PriceStatus.MISSING));
  assert.is(priced.complete, false);
  assert.is(priced.hotels[1]!.fromPrice!.listed!.amountMinor, 47000n);
  assert.is(priced.hotels[1]!.fromPrice!.markdown!.amountMinor, 0n, "no markdown before the wallet answers");
  assert.is(marked.complete, true);
  assert.is(marked.hotels[1]!.fromPrice!.price!.amountMinor, 37000n);
  assert.is(marked.walletAvailable!.amountMinor, 10000n);
  assert.ok(steps.every((s) => s.degraded.length === 0));
  // Every step is a snapshot of the whole page: the same hotels in the same (catalog) order, the same total.
  for (const s of steps) {
    assert.equal(s.hotels.map((h) => h.hotelId), ["h-P000001", "h-P000002"]);
    assert.is(s.totalCount, 2);
  }
});

test("a stream ends within the deadline even when pricing never answers", async () => {
  const f = searchFixture({ budgets: { pricingMs: 200 } });
  f.pricing.behaviour.gate = new Promise(() => {});
  const steps: HotelResults[] = [];
  for await (const step of f.search.streamHotels(f.ctx, { query: lisbon() })) steps.push(step.results!);
  assert.equal(steps.map((s) => s.complete), [false, true]);
  assert.equal(steps[1]!.degraded, ["pricing"]);
});

test("bad input: InvalidArgument naming each bad field", async () => {
  const f = searchFixture();
  const fields = async (q: Partial<Query>) =>
    (await kitRejection(f.search.searchHotels(f.ctx, { query: lisbon(q) }))).violations.map((v) => `${v.field} ${v.rule}`);
  assert.equal(await fields({ query: "" }), ["query.query required"]);
  assert.equal(await fields({ query: " L " }), ["query.query min_len"]);
  assert.equal(await fields({ checkOut: day("2026-12-04") }), ["query.check_out date_order"]);
  assert.equal(await fields({ checkIn: day("2026-11-30"), checkOut: day("2026-12-02") }), ["query.check_in not_past"]);
  assert.equal(await fields({ checkOut: day("2027-01-05") }), ["query.check_out max_nights"]);
  assert.equal(await fields({ pageSize: 51 }), ["query.page_size range"]);
  assert.equal(await fields({ checkIn: day("2026-02-30") }), ["query.check_in date"]);
  assert.equal(await fields({ query: "", pageSize: 99, checkIn: day("2026-11-01") }), [
    "query.query required",
    "query.check_in not_past",
    "query.check_out max_nights",
    "query.page_size range",
  ]);
  const missing = await kitRejection(f.search.searchHotels(f.ctx, {}));
  assert.equal(missing.violations.map((v) => v.field), ["query"]);
  const streamed = await kitRejection(
    (async () => {
      for await (const _ of f.search.streamHotels(f.ctx, { query: lisbon({ pageSize: 51 }) }));
    })(),
  );
  assert.is(streamed.code, Code.InvalidArgument);
  assert.equal(f.catalog.behaviour.fail, undefined);
  assert.equal(f.pricing.hotelRequests, [], "nothing was asked of pricing");
});

test("today is valid, and a 30-night stay is the longest", async () => {
  const f = searchFixture();
  const res = await f.search.searchHotels(f.ctx, { query: lisbon({ checkIn: day("2026-12-01"), checkOut: day("2026-12-31") }) });
  assert.is(res.results!.hotels.length, 2);
});

test.run();
