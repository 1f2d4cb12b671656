import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotelResultSchema, PriceStatus } from "../../../gen/itinera/search/v1/search_pb.js";
import { degradedNotices, filterHotels, NO_FILTER, priceNote, resultsCurrency, sellerName, sellersOf, sortHotels } from "./results.js";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const hotel = (id: string, stars: number, price: bigint | undefined, seller = "casa", status = PriceStatus.FRESH) =>
  create(HotelResultSchema, {
    hotelId: id,
    name: id,
    starRating: stars,
    fromPrice:
      price === undefined
        ? { status: PriceStatus.MISSING }
        : { listed: eur(price), markdown: eur(0n), price: eur(price), status, sellerId: seller },
  });

const ids = (hs: { hotelId: string }[]) => hs.map((h) => h.hotelId);

const a = hotel("a", 3, 15000n, "casa");
const b = hotel("b", 5, 30000n, "wanderly");
const c = hotel("c", 4, undefined);
const d = hotel("d", 5, 15000n, "wanderly", PriceStatus.STALE);

test("sorting by price puts unpriced hotels last and keeps ties in search's order", () => {
  assert.equal(ids(sortHotels([c, b, a, d], "price")), ["a", "d", "b", "c"]);
  assert.equal(ids(sortHotels([c, b, d, a], "price")), ["d", "a", "b", "c"]);
  assert.equal(ids(sortHotels([c, b, a, d], "price-desc")), ["b", "a", "d", "c"]);
});

test("sorting by stars puts the most first, cheaper first among equals", () => {
  assert.equal(ids(sortHotels([a, b, c, d], "stars")), ["d", "b", "c", "a"]);
});

test("recommended keeps search's order and never changes the input", () => {
  const input = [c, b, a];
  assert.equal(ids(sortHotels(input, "recommended")), ["c", "b", "a"]);
  sortHotels(input, "price");
  assert.equal(ids(input), ["c", "b", "a"]);
});

test("filters: maximum price (leaving out unpriced hotels), minimum stars, seller", () => {
  const all = [a, b, c, d];
  assert.equal(ids(filterHotels(all, NO_FILTER)), ["a", "b", "c", "d"]);
  assert.equal(ids(filterHotels(all, { ...NO_FILTER, maxPriceMinor: 15000n })), ["a", "d"]);
  assert.equal(ids(filterHotels(all, { ...NO_FILTER, minStars: 4 })), ["b", "c", "d"]);
  assert.equal(ids(filterHotels(all, { ...NO_FILTER, seller: "wanderly" })), ["b", "d"]);
  assert.equal(ids(filterHotels(all, { maxPriceMinor: 20000n, minStars: 5, seller: "wanderly" })), ["d"]);
});

test("sellers and currency come from the shown prices", () => {
  assert.equal(sellersOf([a, b, c, d]), ["casa", "wanderly"]);
  assert.is(resultsCurrency([c, a]), "EUR");
  assert.is(resultsCurrency([]), "EUR");
  assert.is(sellerName("sky-lark"), "Sky Lark");
});

test("stale and missing prices are said in words; fresh ones need no note", () => {
  assert.is(priceNote(a.fromPrice), undefined);
  assert.match(priceNote(d.fromPrice) ?? "", /may be out of date/);
  assert.match(priceNote(c.fromPrice) ?? "", /No price available/);
  assert.match(priceNote(undefined) ?? "", /No price available/);
});

test("degraded dependencies become notices", () => {
  assert.equal(degradedNotices([]), []);
  const notes = degradedNotices(["pricing", "wallet", "sellers"]);
  assert.is(notes.length, 3);
  assert.match(notes[0] ?? "", /prices could not be checked/);
  assert.match(notes[1] ?? "", /wallet discount could not be checked/);
  assert.match(notes[2] ?? "", /sellers is slow/);
});

test.run();
