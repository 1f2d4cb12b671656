// UpsertHotels on real PostgreSQL: counts, idempotency, and several sellers
// listing the same hotel (each one's upsert replaces only its own listing).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { catalogFixture, hotel, INVENTORY, NEW_YORK_ALIASES, type CatalogFixture } from "./fixture.js";

let c: CatalogFixture;
test.before(async () => {
  c = await catalogFixture();
});
test.after(async () => {
  await c?.close();
});

async function get(id: string): Promise<Hotel> {
  const { hotels } = await c.client.getHotels(c.ctx, { hotelIds: [id] });
  assert.is(hotels.length, 1, `${id} exists`);
  return hotels[0]!;
}

const rooms = (h: Hotel) => h.rooms.map((r) => `${r.roomId}:${r.name}`);

test("the first upsert creates every hotel; the same upsert again changes nothing, not even update times", async () => {
  const first = await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: INVENTORY, cityAliases: NEW_YORK_ALIASES });
  assert.equal([first.created, first.updated], [INVENTORY.length, 0]);
  const before = await c.client.getHotels(c.ctx, { hotelIds: INVENTORY.map((h) => h.hotelId!) });
  const counts = await c.counts();
  assert.equal([counts.hotels, counts.rooms, counts.hotel_sellers, counts.cities, counts.city_aliases], [10, 20, 10, 5, 3]);

  const again = await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: INVENTORY, cityAliases: NEW_YORK_ALIASES });
  assert.equal([again.created, again.updated], [0, 0]);
  assert.equal(await c.client.getHotels(c.ctx, { hotelIds: INVENTORY.map((h) => h.hotelId!) }), before);
  assert.equal(await c.counts(), counts);
});

test("a change to one hotel updates only that hotel", async () => {
  const before = await get("h-P002");
  const changed = INVENTORY.map((h) => (h.hotelId === "h-P001" ? hotel("h-P001", "Tagus Grand Palace", "lisbon-pt", { starRating: 5 }) : h));
  const res = await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: changed });
  assert.equal([res.created, res.updated], [0, 1]);
  const h = await get("h-P001");
  assert.equal([h.name, h.starRating], ["Tagus Grand Palace", 5]);
  assert.equal(await get("h-P002"), before, "untouched");
  const found = await c.client.searchHotels(c.ctx, { query: "grand palace" });
  assert.equal(found.hotels.map((x) => x.hotelId), ["h-P001"], "the search document follows the new name");
});

test("a second seller listing the same hotel adds its seller id and rooms; the first seller's stay", async () => {
  const casaBefore = await get("h-P006");
  const wanderly = hotel("h-P006", "Manhattan Grand Hotel", "new-york-us", {
    starRating: 5,
    rooms: [
      { roomId: "DBL-STD", name: "Double, city view", maxOccupancy: 2 },
      { roomId: "STE-DLX", name: "Deluxe suite", maxOccupancy: 4 },
    ],
  });
  const res = await c.client.upsertHotels(c.ctx, { sellerId: "wanderly", hotels: [wanderly] });
  assert.equal([res.created, res.updated], [0, 1]);
  const merged = await get("h-P006");
  assert.equal(merged.sellerIds, ["casa", "wanderly"]);
  // The most recent listing describes the hotel and the rooms it has; the union of rooms is kept.
  assert.equal([merged.name, merged.starRating], ["Manhattan Grand Hotel", 5]);
  assert.equal(rooms(merged), ["DBL-STD:Double, city view", "SGL-STD:Single room", "STE-DLX:Deluxe suite"]);
  assert.ok(merged.updateTime!.seconds >= casaBefore.updateTime!.seconds);

  // casa re-sending its unchanged listing changes nothing: wanderly's stays the latest.
  const replay = await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: INVENTORY.filter((h) => h.hotelId === "h-P006") });
  assert.equal([replay.created, replay.updated], [0, 0]);
  assert.equal(await get("h-P006"), merged);

  // wanderly drops its suite: the suite goes (no one lists it), casa's single room stays.
  const dropped = await c.client.upsertHotels(c.ctx, {
    sellerId: "wanderly",
    hotels: [{ ...wanderly, rooms: [wanderly.rooms[0]!] }],
  });
  assert.equal([dropped.created, dropped.updated], [0, 1]);
  assert.equal(rooms(await get("h-P006")), ["DBL-STD:Double, city view", "SGL-STD:Single room"]);

  // casa changes its listing: now casa's is the latest and describes the hotel; seller ids stay both.
  const casaNew = hotel("h-P006", "Manhattan Grand", "new-york-us", { address: "5 Fifth Avenue" });
  await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: [casaNew] });
  const after = await get("h-P006");
  assert.equal([after.name, after.address, after.starRating, after.sellerIds], ["Manhattan Grand", "5 Fifth Avenue", 4, ["casa", "wanderly"]]);
  assert.equal(rooms(after), ["DBL-STD:Double room", "SGL-STD:Single room"]);
});

test("a seller's aliases replace only its own aliases of the cities it sends", async () => {
  await c.client.upsertHotels(c.ctx, {
    sellerId: "wanderly",
    hotels: [hotel("h-P006", "Manhattan Grand Hotel", "new-york-us")],
    cityAliases: { "new-york-us": { aliases: ["Big Apple"] }, "lisbon-pt": { aliases: ["Lisboa"] } },
  });
  const search = async (q: string) => (await c.client.searchHotels(c.ctx, { query: q })).hotels.map((h) => h.hotelId);
  assert.equal((await search("big apple")).slice(0, 2), ["h-P006", "h-P007"]);
  assert.equal((await search("NYC")).slice(0, 2), ["h-P006", "h-P007"], "casa's aliases stay");
  assert.equal((await search("Lisboa")).slice(0, 3), ["h-P001", "h-P002", "h-P003"], "an alias of a city wanderly lists no hotel in");

  // wanderly withdraws "Big Apple" (an empty list for the city), sending no hotels of New York.
  await c.client.upsertHotels(c.ctx, {
    sellerId: "wanderly",
    hotels: [hotel("h-P001", "Tagus Grand Palace", "lisbon-pt", { starRating: 5 })],
    cityAliases: { "new-york-us": { aliases: [] } },
  });
  assert.not.ok((await search("big apple")).includes("h-P007"), "no hotel of New York matches a withdrawn alias exactly");
  assert.equal((await search("NYC")).slice(0, 2), ["h-P006", "h-P007"]);
  assert.equal((await search("Lisboa")).slice(0, 3), ["h-P001", "h-P002", "h-P003"], "aliases of cities not sent stay");
});

test("GetHotels answers in the order asked, leaves unknown ids out, gives repeated ids once", async () => {
  const { hotels } = await c.client.getHotels(c.ctx, { hotelIds: ["h-P009", "h-nope", "h-P001", "h-P009"] });
  assert.equal(hotels.map((h) => h.hotelId), ["h-P009", "h-P001"]);
});

test("a batch of many hotels is written with a fixed number of statements and reads back whole", async () => {
  const many = Array.from({ length: 500 }, (_, i) => hotel(`h-B${String(i).padStart(4, "0")}`, `Batch Hotel ${i}`, "porto-pt"));
  let statements = 0;
  const count = () => statements++;
  c.database.knex.on("query", count);
  const res = await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: many });
  c.database.knex.off("query", count);
  assert.equal([res.created, res.updated], [500, 0]);
  assert.ok(statements > 0 && statements <= 12, `${statements} statements for 500 hotels`);
  const { hotels } = await c.client.getHotels(c.ctx, { hotelIds: many.map((h) => h.hotelId!) });
  assert.is(hotels.length, 500);
  assert.ok(hotels.every((h) => h.rooms.length === 2 && h.cityName === "Porto"));
});

test("concurrent upserts of the same hotels by five sellers lose no seller and no room", async () => {
  const sellers = ["s1", "s2", "s3", "s4", "s5"];
  const ids = Array.from({ length: 200 }, (_, i) => `h-C${String(i).padStart(3, "0")}`);
  const listing = (seller: string) =>
    ids.map((id) => hotel(id, `Concurrent ${id}`, "paris-fr", { rooms: [{ roomId: `R-${seller}`, name: seller, maxOccupancy: 2 }] }));
  await Promise.all(sellers.map((sellerId) => c.client.upsertHotels(c.ctx, { sellerId, hotels: listing(sellerId) })));
  const { hotels } = await c.client.getHotels(c.ctx, { hotelIds: ids });
  assert.is(hotels.length, ids.length);
  const incomplete = hotels.filter((h) => h.sellerIds.length !== sellers.length || h.rooms.length !== sellers.length);
  assert.equal(incomplete.map((h) => `${h.hotelId}: ${h.sellerIds.join(",")}`), []);
});

test("concurrent alias changes and new hotels in one city: no deadlock, every document holds the current aliases", async () => {
  for (let round = 0; round < 3; round++) {
    const batch = (seller: string) =>
      Array.from({ length: 20 }, (_, i) => hotel(`h-${seller}-${round}-${i}`, `Round ${round} ${seller} ${i}`, "porto-pt"));
    await Promise.all([
      c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: batch("casa"), cityAliases: { "porto-pt": { aliases: [`Oporto${round}`] } } }),
      c.client.upsertHotels(c.ctx, { sellerId: "wanderly", hotels: batch("wanderly"), cityAliases: { "porto-pt": { aliases: [`Invicta${round}`] } } }),
      c.client.upsertHotels(c.ctx, { sellerId: "skylark", hotels: batch("skylark") }),
    ]);
  }
  /** Every hotel a search finds, all pages. */
  const everything = async (query: string) => {
    const found: Hotel[] = [];
    for (let pageToken = ""; ; ) {
      const page = await c.client.searchHotels(c.ctx, { query, pageSize: 100, pageToken });
      found.push(...page.hotels);
      if ((pageToken = page.nextPageToken) === "") return found;
    }
  };
  const porto = (await everything("porto")).filter((h) => h.cityId === "porto-pt").map((h) => h.hotelId);
  assert.is(porto.length, 3 * 60 + 2 + 500, "the 180 new hotels, the inventory's two and the batch of 500");
  // Full text sees the aliases too: the search document of every hotel of the city holds the current ones only.
  const docsWith = async (word: string) => {
    const [{ n }] = (await c.database.knex("hotels")
      .where({ city_id: "porto-pt" })
      .whereRaw("search_doc @@ to_tsquery('simple', ?)", [word])
      .count({ n: "*" })) as [{ n: bigint }];
    return Number(n);
  };
  assert.equal(
    [await docsWith("oporto2"), await docsWith("invicta2"), await docsWith("oporto1"), await docsWith("invicta0")],
    [porto.length, porto.length, 0, 0],
  );
});

test.run();
