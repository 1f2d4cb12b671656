// Stay totals precomputed at ingestion, on real PostgreSQL: each total is
// the sum of its nights; a sold-out or missing night leaves no total for the
// stays over it; new rates recompute the totals they enter; several sellers
// of one room keep their own offers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PriceSource, type HotelOffer } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { addDays, dateMessage, type IsoDate } from "./dates.js";
import { nightsOf, pricingFixture, type PricingFixture, type RateInit } from "./fixture.js";

let f: PricingFixture;
test.before(async () => {
  f = await pricingFixture();
});
test.after(async () => {
  await f.close();
});

const ingest = (sellerId: string, rates: RateInit[]) => f.client.ingestHotelRates(f.ctx, { sellerId, rates });

async function offers(hotelIds: string[], checkIn: IsoDate, nights: number): Promise<HotelOffer[]> {
  const res = await f.client.getHotelOffers(f.ctx, {
    hotelIds,
    checkIn: dateMessage(checkIn),
    checkOut: dateMessage(addDays(checkIn, nights)),
  });
  return res.offers;
}

async function totalsOf(hotelId: string): Promise<number> {
  const [{ n }] = (await f.database.knex("stay_totals").where({ hotel_id: hotelId }).count({ n: "*" })) as [{ n: bigint }];
  return Number(n);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

test("each total is the sum of its nights, for every stay of 1 to 7 nights", async () => {
  const prices = [10_000, 10_100, 12_500, 9_900, 11_000, 15_000, 15_500, 10_000, 10_300, 10_400, 9_000, 9_100, 13_000, 13_300];
  const first = f.today();
  const res = await ingest("casa", nightsOf("h-sum", "DBL-STD", first, prices));
  const expected = [1, 2, 3, 4, 5, 6, 7].reduce((n, nights) => n + prices.length - nights + 1, 0);
  assert.equal([res.rates, res.totals], [prices.length, expected]);
  assert.is(await totalsOf("h-sum"), expected);

  for (let day = 0; day < prices.length; day++) {
    for (let nights = 1; nights <= 7; nights++) {
      const found = await offers(["h-sum"], addDays(first, day), nights);
      if (day + nights > prices.length) {
        assert.equal(found, [], `no total past the last night (day ${day}, ${nights} nights)`);
        continue;
      }
      assert.is(found.length, 1, `one offer for day ${day}, ${nights} nights`);
      const o = found[0]!;
      const want = BigInt(sum(prices.slice(day, day + nights)));
      assert.equal(
        [o.hotelId, o.roomId, o.sellerId, o.total?.amountMinor, o.listTotal?.amountMinor, o.total?.currency, o.source, o.available],
        ["h-sum", "DBL-STD", "casa", want, want, "EUR", PriceSource.FRESH, 5],
        `day ${day}, ${nights} nights`,
      );
      assert.ok(o.priceTime, "an offer says when it was quoted");
    }
  }
});

test("a sold-out or missing night leaves no total for the stays over it", async () => {
  const first = f.today();
  // nights 0..9, night 4 sold out, night 7 not sent at all
  const rates = nightsOf("h-gaps", "DBL-STD", first, Array(10).fill(10_000), (i) => (i === 4 ? 0 : i === 2 ? 1 : 3)).filter(
    (_, i) => i !== 7,
  );
  await ingest("casa", rates);
  for (let day = 0; day < 10; day++) {
    for (let nights = 1; nights <= 7 && day + nights <= 10; nights++) {
      const covers = (night: number) => day <= night && night < day + nights;
      const found = await offers(["h-gaps"], addDays(first, day), nights);
      if (covers(4) || covers(7)) assert.equal(found, [], `no total over a gap (day ${day}, ${nights} nights)`);
      else {
        assert.is(found.length, 1, `a total (day ${day}, ${nights} nights)`);
        assert.is(found[0]!.total?.amountMinor, BigInt(10_000 * nights));
        assert.is(found[0]!.available, covers(2) ? 1 : 3, "the fewest rooms left over the stay");
      }
    }
  }
});

test("new rates recompute the totals they enter; a night sold out later removes them, and back", async () => {
  const first = addDays(f.today(), 10);
  await ingest("casa", nightsOf("h-change", "DBL-STD", first, Array(10).fill(10_000)));
  const before = await totalsOf("h-change");

  // night 3 becomes dearer
  await ingest("casa", nightsOf("h-change", "DBL-STD", addDays(first, 3), [13_000]));
  assert.is((await offers(["h-change"], addDays(first, 1), 3))[0]!.total?.amountMinor, 33_000n, "nights 1-3 include the new price");
  assert.is((await offers(["h-change"], addDays(first, 4), 3))[0]!.total?.amountMinor, 30_000n, "nights 4-6 do not");
  assert.is((await offers(["h-change"], first, 7))[0]!.total?.amountMinor, 73_000n);
  assert.is(await totalsOf("h-change"), before, "the same stays, updated in place");

  // night 5 sells out: every stay over it goes
  await ingest("casa", nightsOf("h-change", "DBL-STD", addDays(first, 5), [10_000], () => 0));
  assert.equal(await offers(["h-change"], addDays(first, 4), 2), []);
  assert.equal(await offers(["h-change"], first, 7), []);
  assert.is((await offers(["h-change"], addDays(first, 6), 2))[0]!.total?.amountMinor, 20_000n, "stays after it remain");
  assert.ok((await totalsOf("h-change")) < before, "the totals over the sold-out night were deleted");

  // it is back on sale
  await ingest("casa", nightsOf("h-change", "DBL-STD", addDays(first, 5), [11_000]));
  assert.is((await offers(["h-change"], addDays(first, 4), 2))[0]!.total?.amountMinor, 21_000n);
  assert.is(await totalsOf("h-change"), before);
});

test("re-sending the same rates changes nothing and recomputes the same totals", async () => {
  const first = addDays(f.today(), 20);
  const rates = nightsOf("h-same", "DBL-STD", first, [9_000, 9_500, 9_700]);
  const a = await ingest("casa", rates);
  const [{ price_time: t1 }] = (await f.database.knex("nightly_rates").where({ hotel_id: "h-same" }).orderBy("night").limit(1)) as [
    { price_time: Date },
  ];
  f.clock.now = new Date(f.clock.now.getTime() + 60_000);
  const b = await ingest("casa", rates);
  f.clock.now = new Date(f.clock.now.getTime() - 60_000);
  assert.equal([b.rates, b.totals], [a.rates, a.totals]);
  const [{ price_time: t2 }] = (await f.database.knex("nightly_rates").where({ hotel_id: "h-same" }).orderBy("night").limit(1)) as [
    { price_time: Date },
  ];
  assert.equal(t2, t1, "an unchanged rate keeps the time it was first quoted at");
});

test("several sellers of one room: every seller's offer is kept", async () => {
  const first = addDays(f.today(), 5);
  await ingest("casa", nightsOf("h-both", "DBL-STD", first, [10_000, 10_000]));
  await ingest("wanderly", nightsOf("h-both", "DBL-STD", first, [9_500, 9_800]));
  await ingest("wanderly", nightsOf("h-both", "TWN-STD", first, [8_000, 8_000]));
  const found = await offers(["h-both", "h-unknown"], first, 2);
  assert.equal(
    found.map((o) => [o.roomId, o.sellerId, o.total?.amountMinor]),
    [
      ["DBL-STD", "casa", 20_000n],
      ["DBL-STD", "wanderly", 19_300n],
      ["TWN-STD", "wanderly", 16_000n],
    ],
  );
});

test.run();
