// Casa's adapter against a fake Casa on a real HTTP server: its XML hotels,
// aliases, bulk rates and per-hotel rates become exactly the catalog and
// pricing messages expected, paging through every page.
import { toJson } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { silentContext } from "../../../endpoints/testing.js";
import { HotelSchema } from "../../../gen/itinera/catalog/v1/catalog_pb.js";
import { HotelOfferSchema, NightlyRateSchema, type NightlyRate } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Listings } from "../adapter.js";
import { parseDate } from "../calendar.js";
import { startFakeSeller, type FakeSeller } from "../test/fake-seller.js";
import { FxTable, SANDBOX_FX_RATES } from "../fx.js";
import { casaAdapter } from "./casa.js";

const HOTEL_1 = `<hotel code="P000001"><name>Grand Hotel Lisboa &amp; Spa</name><city id="lisbon-pt">Lisbon</city>
  <country code="PT">Portugal</country><stars>4</stars><address>Rua Augusta 12, Lisbon</address>
  <amenities><a>pool</a><a>free wifi</a></amenities>
  <images><img src="https://img.sandbox.itinera.test/P000001/1.jpg"/><img src="https://img.sandbox.itinera.test/P000001/2.jpg"/></images>
  <rooms><room code="DBL-STD" occupancy="2"><name>Standard Double Room</name><amenities><a>tv</a></amenities></room>
  <room code="STE-JR" occupancy="3"><name>Junior Suite</name></room></rooms></hotel>`;
const HOTEL_2 = `<hotel code="P000002"><name>Azure Midtown</name><city id="new-york-us">New York</city>
  <country code="US">United States</country><stars>3</stars><address>5 W 45th St, New York</address>
  <amenities/><images><img src="https://img.sandbox.itinera.test/P000002/1.jpg"/></images>
  <rooms><room code="SGL-STD" occupancy="1"><name>Single Room</name></room></rooms></hotel>`;
const HOTEL_PAGES: Record<string, string> = {
  "1": `<?xml version="1.0" encoding="UTF-8"?><hotels page="1" pages="2">${HOTEL_1}</hotels>`,
  "2": `<hotels page="2" pages="2">${HOTEL_2}</hotels>`,
};
const ALIASES = `<aliases><city id="new-york-us"><alias>NY</alias><alias>NYC</alias></city><city id="lisbon-pt"><alias>Lisboa</alias></city></aliases>`;
const BULK: Record<string, string> = {
  "1": `<rates currency="EUR" page="1" pages="2"><hotel code="P000001">
    <rate room="DBL-STD" night="2026-12-01" amount="120.00" available="5"/>
    <rate room="DBL-STD" night="2026-12-02" amount="130.50" available="0"/></hotel></rates>`,
  "2": `<rates currency="EUR" page="2" pages="2"><hotel code="P000002"><rate room="SGL-STD" night="2026-12-01" amount="80" available="9"/></hotel></rates>`,
};
const HOTEL_RATES = `<rates hotel="P000001" currency="EUR">
  <rate room="DBL-STD" night="2026-12-01" amount="120.00" available="5"/>
  <rate room="DBL-STD" night="2026-12-02" amount="130.50" available="2"/>
  <rate room="STE-JR" night="2026-12-01" amount="300.00" available="1"/>
</rates>`;

async function withCasa(work: (fake: FakeSeller, adapter: ReturnType<typeof casaAdapter>) => Promise<void>) {
  const fake = await startFakeSeller({
    "/xml/hotels": (url) => ({ body: HOTEL_PAGES[url.searchParams.get("page") ?? ""] ?? `<hotels page="9" pages="2"/>` }),
    "/xml/aliases": () => ({ body: ALIASES }),
    "/xml/rates/bulk": (url) => ({ body: BULK[url.searchParams.get("page") ?? ""] ?? `<rates currency="EUR"/>` }),
    "/xml/rates": () => ({ body: HOTEL_RATES }),
  });
  const adapter = casaAdapter({
    sellerId: "casa",
    baseUrl: fake.url,
    fx: new FxTable(SANDBOX_FX_RATES),
    throttle: { ratePerSecond: 100, burst: 10 },
    now: () => new Date("2026-11-20T10:00:00Z"),
  });
  try {
    await work(fake, adapter);
  } finally {
    adapter.close();
    await fake.close();
  }
}

test("XML hotels become catalog hotels, page after page, with the seller's city aliases", () =>
  withCasa(async (fake, adapter) => {
    const pages: Listings[] = [];
    for await (const p of adapter.pullListings!(silentContext())) pages.push(p);
    assert.is(pages.length, 2);
    assert.equal(toJson(HotelSchema, pages[0]!.hotels[0]!), {
      hotelId: "h-P000001",
      name: "Grand Hotel Lisboa & Spa",
      cityId: "lisbon-pt",
      cityName: "Lisbon",
      countryCode: "PT",
      countryName: "Portugal",
      starRating: 4,
      address: "Rua Augusta 12, Lisbon",
      amenities: ["pool", "free wifi"],
      imageUrls: ["https://img.sandbox.itinera.test/P000001/1.jpg", "https://img.sandbox.itinera.test/P000001/2.jpg"],
      rooms: [
        { roomId: "DBL-STD", name: "Standard Double Room", maxOccupancy: 2, amenities: ["tv"] },
        { roomId: "STE-JR", name: "Junior Suite", maxOccupancy: 3 },
      ],
      sellerIds: ["casa"],
    });
    const second = toJson(HotelSchema, pages[1]!.hotels[0]!) as Record<string, unknown>;
    assert.is(second.hotelId, "h-P000002");
    assert.is(second.amenities, undefined); // <amenities/>: none
    assert.equal(second.rooms, [{ roomId: "SGL-STD", name: "Single Room", maxOccupancy: 1 }]);
    assert.equal([...pages[0]!.cityAliases], [["new-york-us", ["NY", "NYC"]], ["lisbon-pt", ["Lisboa"]]]);
    assert.equal(fake.requests.filter((r) => r.path === "/xml/hotels").map((r) => r.query.get("page")), ["1", "2"]);
    assert.is(fake.count("/xml/aliases"), 1);
  }));

test("bulk rates become nightly EUR rates for every hotel of every page", () =>
  withCasa(async (fake, adapter) => {
    const rates: NightlyRate[] = [];
    const window = { from: parseDate("2026-12-01"), to: parseDate("2027-03-01") };
    for await (const batch of adapter.pullRates!(silentContext(), window)) rates.push(...batch);
    assert.equal(rates.map((r) => toJson(NightlyRateSchema, r)), [
      { hotelId: "h-P000001", roomId: "DBL-STD", night: { year: 2026, month: 12, day: 1 }, price: { amountMinor: "12000", currency: "EUR" }, available: 5 },
      { hotelId: "h-P000001", roomId: "DBL-STD", night: { year: 2026, month: 12, day: 2 }, price: { amountMinor: "13050", currency: "EUR" } },
      { hotelId: "h-P000002", roomId: "SGL-STD", night: { year: 2026, month: 12, day: 1 }, price: { amountMinor: "8000", currency: "EUR" }, available: 9 },
    ]);
    const first = fake.requests.find((r) => r.path === "/xml/rates/bulk")!;
    assert.is(first.query.get("from"), "2026-12-01");
    assert.is(first.query.get("to"), "2027-03-01");
  }));

test("a live stay quote sums each room's nights; a room missing a night is not offered", () =>
  withCasa(async (fake, adapter) => {
    const stay = { checkIn: parseDate("2026-12-01"), checkOut: parseDate("2026-12-03") };
    const offers = await adapter.quoteHotelStay!(silentContext(), "h-P000001", stay);
    const total = { amountMinor: "25050", currency: "EUR" };
    assert.equal(offers.map((o) => toJson(HotelOfferSchema, o)), [
      {
        hotelId: "h-P000001",
        roomId: "DBL-STD",
        sellerId: "casa",
        total,
        listTotal: total,
        available: 2,
        source: "PRICE_SOURCE_LIVE",
        priceTime: "2026-11-20T10:00:00Z",
      },
    ]);
    const asked = fake.requests.find((r) => r.path === "/xml/rates")!;
    assert.equal(Object.fromEntries(asked.query), { hotel: "P000001", from: "2026-12-01", to: "2026-12-03" });
    assert.equal(await adapter.quoteHotelStay!(silentContext(), "not-ours", stay), []);
  }));

test("malformed XML and missing fields fail with what was wrong", () =>
  withCasa(async (fake, adapter) => {
    const stay = { checkIn: parseDate("2026-12-01"), checkOut: parseDate("2026-12-02") };
    fake.routes["/xml/rates"] = () => ({ body: `<rates hotel="P000001" currency="EUR"><rate room="DBL-STD" night="2026-12-01" amount="lots" available="1"/></rates>` });
    assert.match(String(await adapter.quoteHotelStay!(silentContext(), "h-P000001", stay).catch((e: unknown) => e)), /rates.rate\[0\].*decimal/);
    fake.routes["/xml/rates"] = () => ({ body: `<rates hotel="P000001"><rate room="DBL-STD"` });
    assert.match(String(await adapter.quoteHotelStay!(silentContext(), "h-P000001", stay).catch((e: unknown) => e)), /SellerDataError/);
    fake.routes["/xml/hotels"] = () => ({ body: `<hotels page="1" pages="1"><hotel code="P1"><name>X</name></hotel></hotels>` });
    const pull = async () => {
      for await (const _ of adapter.pullListings!(silentContext()));
    };
    assert.match(String(await pull().catch((e: unknown) => e)), /hotel\[0\].city is not an object/);
  }));

test.run();
