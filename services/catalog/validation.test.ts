// Bad input: InvalidArgument naming every bad field in proto names, and
// nothing written.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { catalogFixture, hotel, INVENTORY, type CatalogFixture } from "./fixture.js";
import { flight, LIS, MAD } from "./flights.fixture.js";

let c: CatalogFixture;
test.before(async () => {
  c = await catalogFixture();
});
test.after(async () => {
  await c?.close();
});

/** The fields the call's InvalidArgument names, after checking that it wrote nothing. */
async function badFields(call: () => Promise<unknown>): Promise<string[]> {
  const before = await c.counts();
  const e = await kitRejection(call());
  assert.is(e.code, Code.InvalidArgument, e.message);
  assert.equal(await c.counts(), before, "nothing written");
  return e.violations.map((v) => v.field);
}

test("UpsertHotels: every bad hotel field is named with its index; no hotel is written", async () => {
  const hotels = [
    INVENTORY[0]!,
    hotel("h-X1", "", "lisbon-pt", { starRating: 6 }),
    { ...hotel("h-X2", "Fine", "porto-pt"), countryCode: "pt", cityId: "Porto PT" },
    hotel("h-X3", "Rooms", "paris-fr", {
      starRating: 0,
      imageUrls: ["ftp://x/y.jpg"],
      rooms: [
        { roomId: "DBL", name: "Double", maxOccupancy: 2 },
        { roomId: "DBL", name: "Double again", maxOccupancy: 0 },
      ],
    }),
    { ...INVENTORY[1]!, hotelId: INVENTORY[0]!.hotelId! },
  ];
  assert.equal(await badFields(() => c.client.upsertHotels(c.ctx, { sellerId: " ", hotels })), [
    "seller_id",
    "hotels[1].name",
    "hotels[1].star_rating",
    "hotels[2].city_id",
    "hotels[2].country_code",
    "hotels[3].star_rating",
    "hotels[3].image_urls[0]",
    "hotels[3].rooms[1].max_occupancy",
    "hotels[3].rooms[1].room_id",
    "hotels[4].hotel_id",
  ]);
});

test("UpsertHotels: no hotels, too many hotels, bad aliases", async () => {
  assert.equal(await badFields(() => c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: [] })), ["hotels"]);
  const many = Array.from({ length: 501 }, (_, i) => hotel(`h-${i}`, `H ${i}`, "lisbon-pt"));
  assert.equal(await badFields(() => c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: many })), ["hotels"]);
  const cityAliases = { "New York": { aliases: ["NY"] }, "lisbon-pt": { aliases: ["Lisboa", ""] } };
  assert.equal(await badFields(() => c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels: INVENTORY, cityAliases })), [
    'city_aliases["New York"]',
    'city_aliases["lisbon-pt"].aliases[1]',
  ]);
});

test("UpsertFlights: IATA codes, instants in order, real dates, unique ids", async () => {
  const good = flight("SL100", LIS, MAD, "2026-12-01T08:15:00Z", "2026-12-01T10:40:00Z");
  const flights = [
    good,
    { ...flight("SL101", LIS, MAD, "2026-12-01T09:00:00Z", "2026-12-01T08:00:00Z"), origin: "lis" },
    { ...flight("SL102", LIS, MAD, "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"), departureDate: { year: 2026, month: 2, day: 30 } },
    { ...flight("SL103", LIS, LIS, "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"), carrierCode: "skylark" },
    { ...good, departureTime: undefined, arrivalTime: timestampFromDate(new Date("2026-12-01T10:00:00Z")) },
  ];
  const airports = [{ ...LIS, timeZone: "Europe/Nowhere" }, { ...MAD, code: "MADR" }];
  assert.equal(await badFields(() => c.client.upsertFlights(c.ctx, { sellerId: "", flights, airports })), [
    "seller_id",
    "flights[1].origin",
    "flights[1].arrival_time",
    "flights[2].departure_date",
    "flights[3].carrier_code",
    "flights[3].destination",
    "flights[4].departure_time",
    "flights[4].flight_id",
    "airports[0].time_zone",
    "airports[1].code",
  ]);
  assert.equal(await badFields(() => c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights: [] })), ["flights"]);
});

test("reads: GetHotels, ListFlights, GetAirports", async () => {
  assert.equal(await badFields(() => c.client.getHotels(c.ctx, { hotelIds: [] })), ["hotel_ids"]);
  assert.equal(await badFields(() => c.client.getHotels(c.ctx, { hotelIds: ["h-1", ""] })), ["hotel_ids[1]"]);
  const ids = Array.from({ length: 501 }, (_, i) => `h-${i}`);
  assert.equal(await badFields(() => c.client.getHotels(c.ctx, { hotelIds: ids })), ["hotel_ids"]);
  assert.equal(await badFields(() => c.client.listFlights(c.ctx, { origin: "LISB", destination: "" })), [
    "origin",
    "destination",
    "departure_date",
  ]);
  assert.equal(
    await badFields(() => c.client.listFlights(c.ctx, { origin: "LIS", destination: "LIS", departureDate: { year: 2026, month: 13, day: 1 } })),
    ["destination", "departure_date"],
  );
  assert.equal(await badFields(() => c.client.getAirports(c.ctx, {})), ["query"]);
  assert.equal(await badFields(() => c.client.getAirports(c.ctx, { query: "l" })), ["query"]);
  assert.equal(await badFields(() => c.client.getAirports(c.ctx, { codes: ["LIS", "x"] })), ["codes[1]"]);
  assert.equal(await badFields(() => c.client.getAirports(c.ctx, { codes: ["LIS"], query: "lisbon" })), ["query"]);
});

test.run();
