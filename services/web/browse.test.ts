// What the pages read before booking, through the real BFF server: streamed
// hotel results (each message whole, personalised for the principal — never
// a request field), search's bad input under the page's field names, the
// hotel page, flight results; destination suggestions (cities first, no
// repeats, at most 8) and the airport list derived from the catalog's
// answers (kept, and loaded once for concurrent callers).
import { create } from "@bufbuild/protobuf";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { localClient } from "../../endpoints/service.js";
import { CatalogService, HotelSchema, type Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { AirportDirectory } from "./airports.js";
import { Browser } from "../../transport/browser.fixture.js";
import { suggestions } from "./discovery.js";
import { CHECK_IN, CHECK_OUT, fakeCatalog, world } from "./fakes.fixture.js";
import { signedUpBrowser, startWebHarness, type WebHarness } from "./harness.fixture.js";

let h: WebHarness;
test.before(async () => {
  h = await startWebHarness();
});
test.after(async () => {
  await h?.close();
});

const calls = (method: string) => h.world.calls.filter((c) => c.method === method);

async function signedIn(name: string): Promise<Browser> {
  return (await signedUpBrowser(h, name)).browser;
}

test("StreamHotels: every message holds all results so far; the customer is the principal, not a field", async () => {
  const b = await signedIn("ada");
  const { messages, end } = await b.stream("StreamHotels", { query: "Lisbon", checkIn: CHECK_IN, checkOut: CHECK_OUT, customerId: "cus_someone_else" });
  assert.equal(end, {});
  assert.is(messages.length, 2);
  assert.equal(messages[0].results.degraded, ["pricing"]);
  assert.is(messages[1].results.hotels.length, 1);
  assert.is(messages[1].results.hotels[0].rooms[0].price.price.amountMinor, "40000");
  assert.is(messages[1].results.complete, true);
  // Search sees the customer's token and no customer id in the body: it applies the token's customer's markdown only.
  const searched = calls("search.StreamHotels").at(-1)!;
  assert.equal([searched.principal?.kind, searched.principal?.id], ["customer", "cus_ada"]);
  assert.is((searched.request as { query: { customerId: string } }).query.customerId, "");
  // A visitor searches without a principal (no markdown).
  await new Browser(h.url).stream("StreamHotels", { query: "Lisbon", checkIn: CHECK_IN, checkOut: CHECK_OUT });
  assert.is(calls("search.StreamHotels").at(-1)!.principal, undefined);
});

test("StreamHotels passes search's snapshots on unmerged, with the total and the page token asked for", async () => {
  const b = new Browser(h.url);
  const { messages } = await b.stream("StreamHotels", { query: "Lisbon", checkIn: CHECK_IN, checkOut: CHECK_OUT, pageToken: "lisbon@20" });
  // The first snapshot's unpriced hotel is replaced, not kept next to the priced one.
  assert.equal(messages.map((m: { results: { hotels: unknown[] } }) => m.results.hotels.length), [1, 1]);
  assert.is(messages.at(-1).results.totalCount, 1);
  assert.is((calls("search.StreamHotels").at(-1)!.request as { query: { pageToken: string } }).query.pageToken, "lisbon@20");
});

test("StreamHotels: bad input by the page's field names, search's own rules included", async () => {
  const b = new Browser(h.url);
  const mine = await b.stream("StreamHotels", { query: "L", checkIn: CHECK_IN, checkOut: CHECK_IN });
  assert.is(mine.end.error.code, "invalid_argument");
  assert.match(mine.end.error.message, /query: must be at least 2 characters/);
  assert.match(mine.end.error.message, /check_out: must be after check_in/);
  const searchs = await b.stream("StreamHotels", { query: "Lisbon", checkIn: { year: 2001, month: 1, day: 1 }, checkOut: CHECK_OUT });
  assert.is(searchs.end.error.message, "check_in: must be today or later");
});

test("GetHotel: the hotel priced for the stay, with the wallet; an unknown hotel is NOT_FOUND", async () => {
  const b = await signedIn("grace");
  const before = calls("search.SearchHotels").length;
  const res = await b.call("GetHotel", { hotelId: "h-aurora", checkIn: CHECK_IN, checkOut: CHECK_OUT });
  assert.is(res.status, 200);
  assert.is(res.body.hotel.name, "Hotel Aurora");
  assert.is(res.body.hotel.rooms[0].price.price.amountMinor, "40000");
  assert.equal(res.body.walletAvailable, { amountMinor: "10000", currency: "EUR" });
  // One search call, by the hotel's id (no keyword search of its name or city).
  const asked = calls("search.SearchHotels").slice(before);
  assert.is(asked.length, 1);
  assert.equal((asked[0]!.request as { query: { query: string; hotelIds: string[] } }).query.hotelIds, ["h-aurora"]);
  assert.is((asked[0]!.request as { query: { query: string } }).query.query, "");
  const missing = await b.call("GetHotel", { hotelId: "h-nowhere", checkIn: CHECK_IN, checkOut: CHECK_OUT });
  assert.is(missing.body.code, "not_found");
});

test("StreamFlights: outbound and return results, the customer from the session's token", async () => {
  const b = await signedIn("hopper");
  const { messages } = await b.stream("StreamFlights", { origin: "LIS", destination: "MAD", departureDate: CHECK_IN, returnDate: CHECK_OUT });
  assert.equal(messages.at(-1).results.outbound.map((f: { flightId: string }) => f.flightId), ["SL100-2030-06-10"]);
  assert.equal(messages.at(-1).results.inbound.map((f: { flightId: string }) => f.flightId), ["SL101-2030-06-13"]);
  // The customer reaches search as their token, never as an id in the query.
  const searched = calls("search.StreamFlights").at(-1)!;
  assert.equal([searched.principal?.kind, searched.principal?.id], ["customer", "cus_hopper"]);
  assert.is((searched.request as { query: { customerId: string } }).query.customerId, "");
  const bad = await b.stream("StreamFlights", { origin: "lis", destination: "LIS", departureDate: CHECK_IN });
  assert.match(bad.end.error.message, /origin: must be an IATA airport code/);
});

test("SuggestDestinations: cities first, then hotels, no repeats; ListAirports by city", async () => {
  const b = new Browser(h.url);
  const res = await b.call("SuggestDestinations", { text: "Lis" });
  assert.equal(res.body.destinations, [
    { label: "Lisbon", kind: "city", detail: "Portugal" },
    { label: "Lisboa Palace", kind: "hotel", detail: "Lisbon, Portugal" },
    { label: "Porto", kind: "city", detail: "Portugal" },
    { label: "Hotel Aurora", kind: "hotel", detail: "Lisbon, Portugal" },
    { label: "Aurora Porto", kind: "hotel", detail: "Porto, Portugal" },
  ]);
  const airports = await b.call("ListAirports");
  assert.equal(airports.body.airports.map((a: { code: string }) => a.code), ["LIS", "MAD", "OPO"]);
  assert.equal(airports.body.airports[0], { code: "LIS", cityName: "Lisbon", countryCode: "PT" });
});

test("suggestions: at most 8, accents and case ignored, a city named once", () => {
  const hotel = (name: string, cityName: string, cityId: string) =>
    create(HotelSchema, { hotelId: name, name, cityName, cityId, countryName: "Switzerland", countryCode: "CH" });
  const hotels: Hotel[] = [
    ...Array.from({ length: 12 }, (_, i) => hotel(`Hotel ${i}`, "Zürich", "zurich-ch")),
    hotel("Zurigo Inn", "Zürich", "zurich-ch"),
  ];
  const out = suggestions("zur", hotels);
  assert.is(out.length, 8);
  assert.equal(out[0], { label: "Zürich", kind: "city", detail: "Switzerland" });
  assert.equal(out[1], { label: "Zurigo Inn", kind: "hotel", detail: "Zürich, Switzerland" });
  assert.is(out.filter((d) => d.kind === "city").length, 1);
});

test("the airport directory asks the catalog's ListAirports once per load, shares a load, and keeps the list", async () => {
  const w = world();
  let calls = 0;
  const catalog = localClient(CatalogService, { ...fakeCatalog(w), listAirports: async (ctx, req) => (calls++, fakeCatalog(w).listAirports(ctx, req)) });
  let now = 0;
  const directory = new AirportDirectory(catalog, 60_000, () => now);
  const ctx = backgroundContext({ log: pino({ level: "silent" }) });
  const [a, b] = await Promise.all([directory.list(ctx), directory.list(ctx)]);
  assert.equal(a.map((x) => x.code), ["LIS", "MAD", "OPO"]);
  assert.is(a, b);
  assert.is(calls, 1, "one load for both callers");
  now = 59_000;
  await directory.list(ctx);
  assert.is(calls, 1, "kept");
  now = 61_000;
  await directory.list(ctx);
  assert.is(calls, 2, "reloaded after its time");
});

test.run();
