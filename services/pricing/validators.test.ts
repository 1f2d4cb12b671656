// Bad input is refused with InvalidArgument naming every bad field (proto
// names), and nothing is written.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { addDays, dateMessage } from "./dates.js";
import { failure, nightsOf, pricingFixture, type PricingFixture, type RateInit } from "./fixture.js";
import { MAX_VIOLATIONS } from "./validators.js";

let f: PricingFixture;
test.before(async () => {
  f = await pricingFixture();
});
test.after(async () => {
  await f.close();
});

async function refused(call: Promise<unknown>) {
  const e = await failure(call);
  assert.is(e.code, Code.InvalidArgument, e.message);
  return e.violations.map((v) => [v.field, v.rule]);
}

async function rows() {
  const count = async (table: string) => Number(((await f.database.knex(table).count({ n: "*" })) as [{ n: bigint }])[0].n);
  return { rates: await count("nightly_rates"), totals: await count("stay_totals"), fares: await count("flight_fares") };
}

test("IngestHotelRates names every bad rate field and writes nothing", async () => {
  const good = nightsOf("h-1", "DBL-STD", f.today(), [10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
  const rates: RateInit[] = [
    { ...good[0]!, price: { amountMinor: 10_000n, currency: "USD" } },
    { ...good[1]!, price: { amountMinor: 0n, currency: "EUR" } },
    { ...good[2]!, night: { year: 2026, month: 2, day: 30 } },
    { ...good[3]!, available: -1 },
    { ...good[4]!, hotelId: "" },
    { ...good[5]!, price: undefined },
    { ...good[0]! },
  ];
  assert.equal(await refused(f.client.ingestHotelRates(f.ctx, { sellerId: "Casa Hotels", rates })), [
    ["seller_id", "pattern"],
    ["rates[0].price.currency", "currency"],
    ["rates[1].price.amount_minor", "gt_zero"],
    ["rates[2].night", "date"],
    ["rates[3].available", "range"],
    ["rates[4].hotel_id", "required"],
    ["rates[5].price", "required"],
    ["rates[6]", "unique"],
  ]);
  assert.equal(await rows(), { rates: 0, totals: 0, fares: 0 });
});

test("IngestHotelRates takes 1 to 50,000 rates, and reports at most 100 violations", async () => {
  assert.equal(await refused(f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: [] })), [["rates", "range"]]);
  const many = nightsOf("h-1", "DBL-STD", f.today(), [1]);
  const tooMany = Array.from({ length: 50_001 }, (_, i) => ({ ...many[0]!, roomId: `R${i}` }));
  assert.equal(await refused(f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: tooMany })), [["rates", "range"]]);
  const allBad = Array.from({ length: 300 }, (_, i) => ({ ...many[0]!, roomId: `R${i}`, available: -1 }));
  assert.is((await refused(f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: allBad }))).length, MAX_VIOLATIONS);
  assert.equal(await rows(), { rates: 0, totals: 0, fares: 0 });
});

test("GetHotelOffers: hotel ids, dates, stay length and budget", async () => {
  const today = f.today();
  const ask = (init: Parameters<typeof f.client.getHotelOffers>[1]) => refused(f.client.getHotelOffers(f.ctx, init));
  assert.equal(
    await ask({ hotelIds: [], checkIn: dateMessage(addDays(today, -3)), checkOut: dateMessage(addDays(today, -4)), liveBudgetMs: -1 }),
    [
      ["hotel_ids", "range"],
      ["check_in", "not_past"],
      ["check_out", "date_order"],
      ["live_budget_ms", "range"],
    ],
  );
  assert.equal(await ask({ hotelIds: ["h-1", ""], checkIn: dateMessage(today), checkOut: dateMessage(today) }), [
    ["hotel_ids[1]", "required"],
    ["check_out", "date_order"],
  ]);
  assert.equal(await ask({ hotelIds: ["h-1"], checkIn: dateMessage(today), checkOut: dateMessage(addDays(today, 31)) }), [["check_out", "range"]]);
  assert.equal(await ask({ hotelIds: ["h-1"], checkOut: dateMessage(today) }), [["check_in", "required"]]);
  assert.equal(
    await ask({ hotelIds: Array.from({ length: 501 }, (_, i) => `h-${i}`), checkIn: dateMessage(addDays(today, 400)), checkOut: dateMessage(addDays(today, 401)) }),
    [
      ["hotel_ids", "range"],
      ["check_in", "range"],
    ],
  );
  const ok = await f.client.getHotelOffers(f.ctx, { hotelIds: ["h-1"], checkIn: dateMessage(today), checkOut: dateMessage(addDays(today, 30)) });
  assert.equal(ok.offers, [], "30 nights is the longest stay");
});

test("GetFlightFares: IATA codes, distinct airports, an upcoming date; nothing asked, nothing cached", async () => {
  const ask = (init: Parameters<typeof f.client.getFlightFares>[1]) => refused(f.client.getFlightFares(f.ctx, init));
  assert.equal(await ask({ origin: "lis", destination: "MADX", departureDate: dateMessage(addDays(f.today(), -2)) }), [
    ["origin", "pattern"],
    ["destination", "pattern"],
    ["departure_date", "not_past"],
  ]);
  assert.equal(await ask({ origin: "LIS", destination: "LIS", departureDate: dateMessage(f.today()) }), [["destination", "distinct"]]);
  assert.equal(await ask({ origin: "", destination: "MAD" }), [
    ["origin", "required"],
    ["departure_date", "required"],
  ]);
  assert.is(f.sellers.calls.flights.length, 0);
  assert.equal(await rows(), { rates: 0, totals: 0, fares: 0 });
});

test("InvalidateRoom: hotel and room ids", async () => {
  assert.equal(await refused(f.client.invalidateRoom(f.ctx, { hotelId: "", roomId: "DBL STD", reason: "x".repeat(257) })), [
    ["hotel_id", "required"],
    ["room_id", "pattern"],
    ["reason", "max_len"],
  ]);
  assert.is((await f.client.invalidateRoom(f.ctx, { hotelId: "h-none", roomId: "DBL-STD" })).totals, 0, "an unknown room has nothing to drop");
});

test.run();
