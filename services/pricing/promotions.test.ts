// Promotion rules applied at ingestion, on real PostgreSQL: the seeded
// early-bird (10 % off stays of 5 nights or more, 30 days or more ahead)
// applies exactly when its expression says; the offer keeps its list total
// and names the promotion; changing the rule's row changes the next
// ingestion; a broken row leaves the rules in force.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { addDays, dateMessage, weekday } from "./dates.js";
import { nightsOf, pricingFixture, type PricingFixture } from "./fixture.js";

let f: PricingFixture;
test.before(async () => {
  f = await pricingFixture();
});
test.after(async () => {
  await f.close();
});

const NIGHT = 10_004; // 6 nights: 60,024; 10 % is 6,002.4, rounded to 6,002 (integer arithmetic, half up)
const FIRST_DAY = 25;
const rates = () => nightsOf("h-promo", "DBL-STD", addDays(f.today(), FIRST_DAY), Array(21).fill(NIGHT));

async function offer(days: number, nights: number) {
  const checkIn = addDays(f.today(), days);
  const { offers } = await f.client.getHotelOffers(f.ctx, {
    hotelIds: ["h-promo"],
    checkIn: dateMessage(checkIn),
    checkOut: dateMessage(addDays(checkIn, nights)),
  });
  assert.is(offers.length, 1, `one offer for day ${days}, ${nights} nights`);
  return offers[0]!;
}

const discounted = (list: number, percent: number) => BigInt(list - Math.round((list * percent) / 100));

test("early-bird applies exactly to stays of 5 nights or more checking in 30 days or more ahead", async () => {
  await f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: rates() });
  for (let days = FIRST_DAY; days <= FIRST_DAY + 14; days++) {
    for (let nights = 1; nights <= 7; nights++) {
      const o = await offer(days, nights);
      const list = NIGHT * nights;
      const applies = nights >= 5 && days >= 30;
      assert.equal(
        [o.listTotal?.amountMinor, o.total?.amountMinor, o.promotion],
        [BigInt(list), applies ? discounted(list, 10) : BigInt(list), applies ? "early-bird" : ""],
        `day ${days}, ${nights} nights`,
      );
    }
  }
  assert.is((await offer(30, 6)).total?.amountMinor, 54_022n, "the discount rounded to whole cents");
});

test("the rule is data: a changed row applies at the next ingestion of the same rates", async () => {
  await f.database.knex("rules").where({ name: "early-bird" }).update({ expression: "nights >= 2 && check_in_weekday == 6", percent_off: 20 });
  await f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: rates() });
  for (let days = FIRST_DAY; days <= FIRST_DAY + 14; days++) {
    const saturday = weekday(addDays(f.today(), days)) === 6;
    for (const nights of [1, 2, 5]) {
      const o = await offer(days, nights);
      const applies = saturday && nights >= 2;
      assert.is(o.total?.amountMinor, applies ? discounted(NIGHT * nights, 20) : BigInt(NIGHT * nights), `day ${days}, ${nights} nights`);
      assert.is(o.promotion, applies ? "early-bird" : "");
    }
  }
});

test("a broken rule row does not stop ingestion: the rules in force stay", async () => {
  await f.database.knex("rules").where({ name: "early-bird" }).update({ expression: "nights >=" });
  const res = await f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: rates() });
  assert.ok(res.totals > 0);
  const saturday = [...Array(14).keys()].map((d) => FIRST_DAY + d).find((d) => weekday(addDays(f.today(), d)) === 6)!;
  assert.is((await offer(saturday, 2)).promotion, "early-bird", "the last good version still applies");
});

test.run();
