// Flight search over fake catalog, pricing and wallet (fixture.ts): one way
// and return (the return leg swaps the airports and uses the return date),
// the fare chosen per flight, local times in each airport's zone, the
// markdown, degradation, streaming, unknown airports and bad input.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, unavailable } from "../../endpoints/errors.js";
import { deferred, kitRejection } from "../../endpoints/testing.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { PriceStatus, type FlightResult, type FlightResults } from "../../gen/itinera/search/v1/search_pb.js";
import type { CalendarDay } from "./dates.js";
import { day, RICH, searchFixture } from "./fixture.js";
import { LocalTimes } from "./local-time.js";

type Query = {
  origin: string;
  destination: string;
  departureDate?: CalendarDay;
  returnDate?: CalendarDay;
  customerId?: string;
};
const lisbonMadrid = (q: Partial<Query> = {}): Query => ({
  origin: "LIS",
  destination: "MAD",
  departureDate: day("2026-12-05"),
  ...q,
});

const line = (f: FlightResult) =>
  `${f.flightNumber} ${f.departureLocal} → ${f.arrivalLocal}: ${f.price!.listed?.amountMinor ?? "-"} → ${f.price!.price?.amountMinor ?? "-"} ${f.price!.sellerId || "nobody"} (${PriceStatus[f.price!.status]}, ${f.offerCount} offers)`;

test("one way: the cheapest fare per flight (a tie to the more reliable seller), cheapest first, local times", async () => {
  const f = searchFixture();
  const results = (await f.search.searchFlights(f.ctx, { query: lisbonMadrid() })).results!;
  assert.equal(results.outbound.map(line), [
    "SL123 2026-12-05T08:15:00+00:00 → 2026-12-05T10:40:00+01:00: 11500 → 11500 wanderly (FRESH, 2 offers)",
    "SL125 2026-12-05T17:00:00+00:00 → 2026-12-05T19:25:00+01:00: 13000 → 13000 skylark (FRESH, 2 offers)",
  ]);
  const first = results.outbound[0]!;
  assert.is(first.flightId, "SL123-2026-12-05");
  assert.is(first.cabin, "economy");
  assert.is(first.seatsLeft, 4);
  assert.is(first.source, PriceSource.FRESH);
  assert.is(first.carrierName, "SkyLark Air");
  assert.equal(results.inbound, []);
  assert.equal(results.degraded, []);
  assert.is(results.complete, true);
  assert.equal(
    f.pricing.fareRequests.map((r) => `${r.origin}-${r.destination} ${r.departureDate!.day}`),
    ["LIS-MAD 5"],
    "no return leg priced",
  );
});

test("return: the return leg swaps the airports and departs on the return date; markdown per leg from one balance", async () => {
  const f = searchFixture();
  const results = (
    await f.search.searchFlights(f.as(RICH), { query: lisbonMadrid({ returnDate: day("2026-12-08") }) })
  ).results!;
  assert.equal(results.inbound.map(line), [
    "SL124 2026-12-08T08:00:00+01:00 → 2026-12-08T07:25:00+00:00: 9000 → 4500 skylark (FRESH, 1 offers)",
  ]);
  assert.is(results.inbound[0]!.origin, "MAD");
  // 115.00 with a 100.00 balance: the wallet pays at most half, 57.50; the 90.00 return leg: 45.00, from the same balance.
  assert.is(results.outbound[0]!.price!.markdown!.amountMinor, 5750n);
  assert.is(results.outbound[0]!.price!.price!.amountMinor, 5750n);
  assert.is(results.inbound[0]!.price!.markdown!.amountMinor, 4500n);
  assert.is(results.walletAvailable!.amountMinor, 10000n);
  assert.equal(
    f.pricing.fareRequests.map((r) => `${r.origin}-${r.destination} ${r.departureDate!.day}`).sort(),
    ["LIS-MAD 5", "MAD-LIS 8"],
  );
});

test("pricing down: flights listed with MISSING fares, degraded pricing", async () => {
  const f = searchFixture();
  f.pricing.behaviour.fail = unavailable("pricing is down");
  const results = (await f.search.searchFlights(f.ctx, { query: lisbonMadrid({ returnDate: day("2026-12-08") }) })).results!;
  assert.equal(results.degraded, ["pricing"]);
  assert.equal(results.outbound.map((r) => r.flightNumber), ["SL123", "SL125"], "by departure when unpriced");
  for (const r of [...results.outbound, ...results.inbound]) {
    assert.is(r.price!.status, PriceStatus.MISSING);
    assert.is(r.source, PriceSource.UNSPECIFIED);
  }
});

test("a flight stream sends the flights before the fares, the last step complete", async () => {
  const f = searchFixture();
  const gate = deferred();
  f.pricing.behaviour.gate = gate.promise;
  const steps: FlightResults[] = [];
  for await (const step of f.search.streamFlights(f.ctx, { query: lisbonMadrid() })) {
    steps.push(step.results!);
    if (steps.length === 1) gate.resolve();
  }
  assert.ok(steps.length >= 2);
  assert.is(steps[0]!.outbound[0]!.price!.status, PriceStatus.MISSING);
  assert.is(steps[0]!.complete, false);
  const last = steps.at(-1)!;
  assert.is(last.complete, true);
  assert.is(last.outbound[0]!.price!.listed!.amountMinor, 11500n);
  assert.equal(steps.slice(0, -1).map((s) => s.complete), steps.slice(0, -1).map(() => false));
});

test("unknown airports: InvalidArgument naming origin and destination", async () => {
  const f = searchFixture();
  const one = await kitRejection(f.search.searchFlights(f.ctx, { query: lisbonMadrid({ origin: "XXX" }) }));
  assert.is(one.code, Code.InvalidArgument);
  assert.equal(one.violations.map((v) => `${v.field} ${v.rule}`), ["query.origin known_airport"]);
  const both = await kitRejection(f.search.searchFlights(f.ctx, { query: lisbonMadrid({ origin: "XXX", destination: "YYY" }) }));
  assert.equal(both.violations.map((v) => v.field), ["query.origin", "query.destination"]);
  const streamed = await kitRejection(
    (async () => {
      for await (const _ of f.search.streamFlights(f.ctx, { query: lisbonMadrid({ destination: "ZZZ" }) }));
    })(),
  );
  assert.equal(streamed.violations.map((v) => v.field), ["query.destination"]);
});

test("bad flight input: InvalidArgument naming each bad field", async () => {
  const f = searchFixture();
  const fields = async (q: Partial<Query>) =>
    (await kitRejection(f.search.searchFlights(f.ctx, { query: lisbonMadrid(q) }))).violations.map((v) => `${v.field} ${v.rule}`);
  assert.equal(await fields({ origin: "lis" }), ["query.origin pattern"]);
  assert.equal(await fields({ origin: "" }), ["query.origin required"]);
  assert.equal(await fields({ destination: "LIS" }), ["query.destination distinct"]);
  assert.equal(await fields({ departureDate: day("2026-11-30") }), ["query.departure_date not_past"]);
  assert.equal(await fields({ departureDate: undefined }), ["query.departure_date required"]);
  assert.equal(await fields({ returnDate: day("2026-12-04") }), ["query.return_date date_order"]);
  assert.equal(f.pricing.fareRequests, []);
  const sameDay = await f.search.searchFlights(f.ctx, { query: lisbonMadrid({ departureDate: day("2026-12-05"), returnDate: day("2026-12-05") }) });
  assert.is(sameDay.results!.complete, true, "a return on the day of departure is fine");
});

test("local times: RFC 3339 with the zone's offset at that instant, daylight saving included", () => {
  const t = new LocalTimes();
  assert.is(t.format(new Date("2026-07-01T08:15:00Z"), "Europe/Lisbon"), "2026-07-01T09:15:00+01:00");
  assert.is(t.format(new Date("2026-12-01T08:15:00Z"), "Europe/Lisbon"), "2026-12-01T08:15:00+00:00");
  assert.is(t.format(new Date("2026-12-01T23:30:00Z"), "America/New_York"), "2026-12-01T18:30:00-05:00");
  assert.is(t.format(new Date("2026-12-01T20:00:00Z"), "Asia/Kolkata"), "2026-12-02T01:30:00+05:30");
  assert.is(t.format(new Date("2026-12-01T00:00:00Z"), "UTC"), "2026-12-01T00:00:00+00:00");
  assert.throws(() => t.format(new Date(), "Mars/Olympus_Mons"), RangeError);
});

test.run();
