// Hotel search in pages and by hotel id, over the fakes (fixture.ts): the
// catalog's total and page token passed on, a page continuing the previous
// one in the catalog's order, a refused token named as search's field, and a
// stay priced for given hotel ids in one listing call. (The catalog's own
// cursors — signed, bound to the query — are tested in
// services/catalog/pagination.test.ts.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { PriceStatus } from "../../gen/itinera/search/v1/search_pb.js";
import { day, RICH, searchFixture } from "./fixture.js";

const STAY = { checkIn: day("2026-12-05"), checkOut: day("2026-12-08") };

test("pages of one: the total on each, the token leading on, page 2 after page 1, priced", async () => {
  const f = searchFixture();
  const first = (await f.search.searchHotels(f.ctx, { query: { query: "Lisbon", ...STAY, pageSize: 1 } })).results!;
  assert.equal([first.hotels.map((h) => h.hotelId), first.totalCount], [["h-P000001"], 2]);
  assert.ok(first.nextPageToken !== "");
  const second = (await f.search.searchHotels(f.ctx, { query: { query: "Lisbon", ...STAY, pageSize: 1, pageToken: first.nextPageToken } })).results!;
  assert.equal([second.hotels.map((h) => h.hotelId), second.totalCount, second.nextPageToken], [["h-P000002"], 2, ""]);
  assert.is(second.hotels[0]!.fromPrice!.status, PriceStatus.FRESH);
  assert.equal(f.pricing.hotelRequests.map((r) => r.hotelIds), [["h-P000001"], ["h-P000002"]], "each page prices its own hotels");
});

test("a stream of page 2: every step the whole page with the total and the next token", async () => {
  const f = searchFixture();
  const first = (await f.search.searchHotels(f.ctx, { query: { query: "Lisbon", ...STAY, pageSize: 1 } })).results!;
  const steps = [];
  for await (const s of f.search.streamHotels(f.as(RICH), { query: { query: "Lisbon", ...STAY, pageSize: 1, pageToken: first.nextPageToken } })) {
    steps.push(s.results!);
  }
  assert.ok(steps.length >= 2);
  for (const s of steps) assert.equal([s.hotels.map((h) => h.hotelId), s.totalCount, s.nextPageToken], [["h-P000002"], 2, ""]);
  assert.is(steps.at(-1)!.complete, true);
});

test("a page token the catalog refuses is InvalidArgument on query.page_token, saying to start again", async () => {
  const f = searchFixture();
  const e = await kitRejection(f.search.searchHotels(f.ctx, { query: { query: "Lisbon", ...STAY, pageToken: "madrid@1" } }));
  assert.is(e.code, Code.InvalidArgument);
  assert.equal(e.violations.map((v) => v.field), ["query.page_token"]);
  assert.match(e.message, /start again without it/);
  assert.equal(f.pricing.hotelRequests, [], "nothing priced");
});

test("hotel ids: one listing call by id, the stay priced and quoted, in the order asked, unknown ids left out", async () => {
  const f = searchFixture();
  const res = (await f.search.searchHotels(f.as(RICH), { query: { hotelIds: ["h-P000002", "h-nowhere", "h-P000001"], ...STAY } })).results!;
  assert.equal(res.hotels.map((h) => h.hotelId), ["h-P000002", "h-P000001"]);
  assert.equal([res.totalCount, res.nextPageToken], [2, ""]);
  const double = res.hotels[1]!.rooms.find((r) => r.roomId === "DBL-STD")!.price!;
  assert.equal([double.listed!.amountMinor, double.price!.amountMinor], [50000n, 40000n]);
  assert.ok(double.quote !== "", "a customer's price is quoted, ready to book");
  assert.equal(f.catalog.searched, ["ids h-P000002,h-nowhere,h-P000001"], "one catalog call, no keyword search");
  assert.equal(f.pricing.hotelRequests.map((r) => r.hotelIds), [["h-P000002", "h-P000001"]]);
});

test("hotel ids: not with words or a page token, at most 50, none blank", async () => {
  const f = searchFixture();
  const fields = async (q: object) =>
    (await kitRejection(f.search.searchHotels(f.ctx, { query: { ...STAY, ...q } }))).violations.map((v) => `${v.field} ${v.rule}`);
  assert.equal(await fields({ hotelIds: ["h-P000001"], query: "Lisbon" }), ["query.query exclusive"]);
  assert.equal(await fields({ hotelIds: ["h-P000001"], pageToken: "lisbon@1" }), ["query.page_token exclusive"]);
  assert.equal(await fields({ hotelIds: Array.from({ length: 51 }, (_, i) => `h-${i}`) }), ["query.hotel_ids max_items"]);
  assert.equal(await fields({ hotelIds: ["h-P000001", " "] }), ["query.hotel_ids[1] required"]);
  assert.equal(await fields({ pageToken: "x".repeat(1025), query: "Lisbon" }), ["query.page_token max_len"]);
  assert.equal(f.catalog.searched, [], "nothing asked of the catalog");
});

test.run();
