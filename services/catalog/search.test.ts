// SearchHotels on real PostgreSQL: exact city and alias matches first, then
// full text over names, then similar spellings; the country; accents ignored.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { catalogFixture, INVENTORY, NEW_YORK_ALIASES, type CatalogFixture } from "./fixture.js";

let c: CatalogFixture;
test.before(async () => {
  c = await catalogFixture();
  await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: INVENTORY, cityAliases: NEW_YORK_ALIASES });
});
test.after(async () => {
  await c?.close();
});

/** The ids of every hotel found, in order (one page is enough for the test inventory). */
async function ids(query: string): Promise<string[]> {
  const res = await c.client.searchHotels(c.ctx, { query, pageSize: 100 });
  assert.is(res.nextPageToken, "", `one page for ${query}`);
  return res.hotels.map((h) => h.hotelId);
}

test("a city's name finds its hotels first, by id, whatever the case and spacing", async () => {
  const lisbon = ["h-P001", "h-P002", "h-P003"];
  const found = await ids("Lisbon");
  // Lisbon's own hotels first (the one with Lisbon in its name ranks higher), then Porto's "Ribeira Lisbon View".
  assert.equal(found.slice(0, 3).sort(), lisbon);
  assert.is(found[0], "h-P002", "Alfama Lisbon Suites: city and name both match");
  assert.equal(found.slice(3), ["h-P004"]);
  assert.equal(await ids("  lisBON "), found);
});

test("an alias finds its city: NY, NYC and New York City are New York", async () => {
  for (const q of ["NY", "nyc", "New York City", "new york"]) {
    assert.equal((await ids(q)).slice(0, 2), ["h-P006", "h-P007"], q);
  }
});

test("a country's name or code finds its hotels", async () => {
  const portugal = ["h-P001", "h-P002", "h-P003", "h-P004", "h-P005"];
  assert.equal((await ids("Portugal")).slice(0, 5), portugal);
  assert.equal((await ids("PT")).slice(0, 5), portugal);
});

test("words of a hotel's name find it; prefixes too", async () => {
  assert.equal(await ids("tagus palace"), ["h-P001"]);
  assert.equal((await ids("Palace"))[0], "h-P001");
  assert.ok((await ids("Palace")).includes("h-P009"));
  assert.equal(await ids("brooklyn brid"), ["h-P007"]);
});

test("accents do not matter, either way", async () => {
  assert.equal((await ids("Sao Paulo"))[0], "h-P010");
  assert.equal((await ids("São Paulo"))[0], "h-P010");
  assert.equal((await ids("hotel lumiere"))[0], "h-P008");
});

test("typos still find the city: Lisbn, Pariss, Lisbonn", async () => {
  // Hotels of the similar city first (by id: they are equally similar), then a hotel whose name has a similar word.
  assert.equal(await ids("Lisbn"), ["h-P001", "h-P002", "h-P003", "h-P004"]);
  assert.equal((await ids("Pariss")).slice(0, 2), ["h-P008", "h-P009"]);
  assert.equal((await ids("Lisbonn")).slice(0, 3).sort(), ["h-P001", "h-P002", "h-P003"]);
  assert.equal(await ids("Montmarte"), ["h-P009"], "a typo in a hotel's name");
  assert.equal(await ids("montmarte palase"), ["h-P009"], "a typo in every word");
  assert.equal(await ids("brookln lodge"), ["h-P007"]);
});

test("an exact city match ranks before a name that merely contains the word", async () => {
  // "Porto" is a city; no hotel is named after it, but Ribeira Lisbon View is in Porto.
  const porto = await ids("Porto");
  assert.equal(porto.slice(0, 2), ["h-P004", "h-P005"]);
});

test("nothing matching: an empty page, no token", async () => {
  const res = await c.client.searchHotels(c.ctx, { query: "zzqx" });
  assert.equal([res.hotels.length, res.nextPageToken], [0, ""]);
  const punctuation = await c.client.searchHotels(c.ctx, { query: "!!" });
  assert.equal(punctuation.hotels.length, 0);
});

test("a search answers whole hotels: rooms, sellers, update time", async () => {
  const res = await c.client.searchHotels(c.ctx, { query: "tagus" });
  const h = res.hotels[0]!;
  assert.equal(
    [h.hotelId, h.name, h.cityId, h.cityName, h.countryCode, h.countryName, h.starRating, h.sellerIds],
    ["h-P001", "Tagus Palace", "lisbon-pt", "Lisbon", "PT", "Portugal", 4, ["casa"]],
  );
  assert.equal(h.rooms.map((r) => [r.roomId, r.maxOccupancy]), [["DBL-STD", 2], ["SGL-STD", 1]]);
  assert.equal(h.imageUrls, ["https://img.sandbox.itinera.test/h-P001/1.jpg"]);
  assert.ok(h.updateTime && h.updateTime.seconds > 0n);
});

test.run();
