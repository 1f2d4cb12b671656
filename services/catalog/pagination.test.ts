// SearchHotels pages: cursors that neither repeat nor skip a hotel across
// many pages, the total of matches on every page, tokens that cannot be
// altered or reused for another query, and the page size rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { catalogFixture, hotel, type CatalogFixture, type HotelInit } from "./fixture.js";

let c: CatalogFixture;
// 45 hotels in Lisbon, ten of them with "Lisbon" in their name (they rank
// first), and 8 in Porto named "... Lisbon ..." (full-text matches, after).
const lisbon: HotelInit[] = Array.from({ length: 45 }, (_, i) =>
  hotel(`h-L${String(i).padStart(3, "0")}`, i % 9 === 0 ? `Lisbon Star ${i}` : `Casa ${i}`, "lisbon-pt"),
);
const porto: HotelInit[] = Array.from({ length: 8 }, (_, i) => hotel(`h-O${i}`, `Lisbon Road ${i}`, "porto-pt"));

test.before(async () => {
  c = await catalogFixture();
  await c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: [...lisbon, ...porto] });
});
test.after(async () => {
  await c?.close();
});

async function allPages(query: string, pageSize: number) {
  const pages: string[][] = [];
  let pageToken = "";
  do {
    const res = await c.client.searchHotels(c.ctx, { query, pageSize, pageToken });
    pages.push(res.hotels.map((h) => h.hotelId));
    pageToken = res.nextPageToken;
  } while (pageToken !== "" && pages.length < 100);
  return pages;
}

test("pages of 7 over 53 results: 8 pages, every hotel once, in the order of one big page", async () => {
  const [everything] = await allPages("lisbon", 100);
  assert.is(everything!.length, 53);
  const lisbonNamed = lisbon.filter((h) => h.name!.startsWith("Lisbon")).map((h) => h.hotelId!);
  assert.equal(everything!.slice(0, 5).sort(), lisbonNamed, "hotels of Lisbon with Lisbon in their name first");
  assert.equal(everything!.slice(5, 45), lisbon.map((h) => h.hotelId!).filter((id) => !lisbonNamed.includes(id)), "then Lisbon's, by id");
  assert.equal(everything!.slice(45).sort(), porto.map((h) => h.hotelId!).sort(), "then names matching in full text");

  const pages = await allPages("lisbon", 7);
  assert.equal(pages.map((p) => p.length), [7, 7, 7, 7, 7, 7, 7, 4]);
  assert.equal(pages.flat(), everything, "no duplicates, no gaps, same order");
});

test("page_size 0 means 20; the last page has no token", async () => {
  const pages = await allPages("Lisbon", 0);
  assert.equal(pages.map((p) => p.length), [20, 20, 13]);
  const exact = await allPages("Lisbon", 53);
  assert.equal(exact.map((p) => p.length), [53], "a full last page has no next page");
});

test("total_count: every match of the query on every page, 0 when nothing matches", async () => {
  let pageToken = "";
  const totals: number[] = [];
  do {
    const res = await c.client.searchHotels(c.ctx, { query: "lisbon", pageSize: 20, pageToken });
    totals.push(res.totalCount);
    pageToken = res.nextPageToken;
  } while (pageToken !== "");
  assert.equal(totals, [53, 53, 53]);
  assert.is((await c.client.searchHotels(c.ctx, { query: "porto", pageSize: 3 })).totalCount, 8, "Porto's hotels by their city");
  const none = await c.client.searchHotels(c.ctx, { query: "Atlantis" });
  assert.equal([none.hotels.length, none.totalCount, none.nextPageToken], [0, 0, ""]);
});

test("a hotel added between pages does not shift the pages already read", async () => {
  const first = await c.client.searchHotels(c.ctx, { query: "lisbon", pageSize: 10 });
  // h-L000 sorts before everything on the next pages: it must not make a later hotel appear twice.
  await c.client.upsertHotels(c.ctx, { sellerId: "wanderly", hotels: [hotel("h-A000", "Casa Nova", "lisbon-pt")] });
  const rest: string[] = [];
  let pageToken = first.nextPageToken;
  while (pageToken !== "") {
    const res = await c.client.searchHotels(c.ctx, { query: "lisbon", pageSize: 10, pageToken });
    rest.push(...res.hotels.map((h) => h.hotelId));
    pageToken = res.nextPageToken;
  }
  const seen = [...first.hotels.map((h) => h.hotelId), ...rest];
  assert.is(new Set(seen).size, seen.length, "no duplicates");
  assert.is(seen.length, 53, "h-A000 ranks before the cursor: it is not on later pages, and nothing is skipped");
});

test("an altered token, a forged one, or one of another query is InvalidArgument on page_token", async () => {
  const { nextPageToken } = await c.client.searchHotels(c.ctx, { query: "lisbon", pageSize: 5 });
  assert.ok(nextPageToken !== "");
  const [payload, mac] = nextPageToken.split(".") as [string, string];
  const cursor = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...cursor, h: "h-L040" })).toString("base64url");
  const flipped = `${nextPageToken.slice(0, -1)}${nextPageToken.endsWith("A") ? "B" : "A"}`;
  for (const [pageToken, query] of [
    [`${forged}.${mac}`, "lisbon"],
    [flipped, "lisbon"],
    ["garbage", "lisbon"],
    [nextPageToken, "porto"],
  ] as const) {
    const e = await failure(c.client.searchHotels(c.ctx, { query, pageSize: 5, pageToken }));
    assert.is(e.code, Code.InvalidArgument, pageToken);
    assert.equal(e.violations.map((v) => v.field), ["page_token"]);
  }
  // The same query in another case and spacing continues the same search.
  const next = await c.client.searchHotels(c.ctx, { query: "  LISBON ", pageSize: 5, pageToken: nextPageToken });
  assert.is(next.hotels.length, 5);
});

test("page sizes over 100, negative ones, and queries under 2 characters are InvalidArgument", async () => {
  for (const [req, fields] of [
    [{ query: "lisbon", pageSize: 101 }, ["page_size"]],
    [{ query: "lisbon", pageSize: -1 }, ["page_size"]],
    [{ query: "l" }, ["query"]],
    [{ query: "   " }, ["query"]],
    [{ query: "x", pageSize: 500 }, ["query", "page_size"]],
  ] as const) {
    const e = await failure(c.client.searchHotels(c.ctx, req));
    assert.is(e.code, Code.InvalidArgument);
    assert.equal(e.violations.map((v) => v.field), fields, JSON.stringify(req));
  }
});

test.run();
