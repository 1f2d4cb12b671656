// The per-SKU reducer and the personal price, on their own.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PriceStatus } from "../../gen/itinera/search/v1/search_pb.js";
import { chooseOffer, personalPrice, reliabilityTable, type Candidate } from "./offers.js";
import { DEFAULT_RELIABILITY, reliabilitySetting } from "./settings.js";

const reliability = reliabilityTable(DEFAULT_RELIABILITY);
const offer = (sellerId: string, amountMinor: bigint, more: Partial<Candidate> = {}): Candidate => ({
  sellerId,
  amountMinor,
  currency: "EUR",
  available: 1,
  stale: false,
  promotion: "",
  ...more,
});
const choose = (...offers: Candidate[]) => chooseOffer(offers, reliability, "EUR")?.sellerId;

test("the cheapest valid offer wins; sold out, other currencies and non-positive prices are not valid", () => {
  assert.is(choose(offer("casa", 500n), offer("wanderly", 490n)), "wanderly");
  assert.is(choose(offer("casa", 500n), offer("wanderly", 490n, { available: 0 })), "casa");
  assert.is(choose(offer("casa", 500n), offer("wanderly", 490n, { currency: "GBP" })), "casa");
  assert.is(choose(offer("casa", 500n), offer("wanderly", 0n)), "casa");
  assert.is(choose(offer("casa", 500n, { available: 0 })), undefined);
  assert.is(choose(), undefined);
});

test("a current price beats a cheaper stale one; stale is still shown when nothing else is", () => {
  assert.is(choose(offer("wanderly", 100n, { stale: true }), offer("casa", 500n)), "casa");
  assert.is(choose(offer("wanderly", 100n, { stale: true }), offer("casa", 90n, { stale: true })), "casa");
});

test("ties go to the more reliable seller, then to the seller id, whatever the order offers came in", () => {
  assert.is(choose(offer("wanderly", 500n), offer("casa", 500n)), "casa");
  assert.is(choose(offer("casa", 500n), offer("wanderly", 500n)), "casa");
  assert.is(choose(offer("zeta", 500n), offer("alpha", 500n)), "alpha", "unknown sellers rank lowest, then by id");
  assert.is(choose(offer("alpha", 500n), offer("wanderly", 500n)), "wanderly");
});

test("markdown = min(balance, half the listed price): the card always pays the rest; never negative", () => {
  const p = personalPrice(offer("casa", 50000n, { promotion: "early-bird" }), 10000n);
  assert.equal([p.listed?.amountMinor, p.markdown?.amountMinor, p.price?.amountMinor], [50000n, 10000n, 40000n]);
  assert.is(p.status, PriceStatus.FRESH);
  assert.is(p.promotion, "early-bird");
  const capped = personalPrice(offer("casa", 5001n), 10000n);
  assert.equal([capped.markdown?.amountMinor, capped.price?.amountMinor], [2500n, 2501n]);
  assert.is(personalPrice(offer("casa", 5000n), -300n).markdown?.amountMinor, 0n);
  assert.is(personalPrice(offer("casa", 5000n), undefined).markdown?.amountMinor, 0n);
  assert.is(personalPrice(offer("casa", 5000n, { stale: true }), 0n).status, PriceStatus.STALE);
  assert.equal(personalPrice(undefined, 10000n), { status: PriceStatus.MISSING });
});

test("SELLER_RELIABILITY overrides the table; a malformed one is a configuration error", () => {
  const setting = reliabilitySetting();
  assert.equal(setting.read({}), { ok: true, value: DEFAULT_RELIABILITY });
  assert.equal(setting.read({ SELLER_RELIABILITY: "casa=999, wanderly=1000" }), {
    ok: true,
    value: { casa: 999, wanderly: 1000 },
  });
  assert.is(setting.read({ SELLER_RELIABILITY: "casa=high" }).ok, false);
  assert.is(setting.read({ SELLER_RELIABILITY: "casa=1001" }).ok, false);
});

test.run();
