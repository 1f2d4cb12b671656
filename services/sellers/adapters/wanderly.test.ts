// Wanderly's adapter: a pushed batch (JSON, GBP minor units) becomes catalog
// hotels, EUR nightly rates and fares with their routes; its live quotes
// (against a fake Wanderly on a real HTTP server) become EUR offers and fares.
import { toJson } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { silentContext } from "../../../endpoints/testing.js";
import { HotelSchema } from "../../../gen/itinera/catalog/v1/catalog_pb.js";
import { FlightFareSchema, HotelOfferSchema, NightlyRateSchema } from "../../../gen/itinera/pricing/v1/pricing_pb.js";
import { parseDate } from "../calendar.js";
import { startFakeSeller } from "../test/fake-seller.js";
import { FxTable, SANDBOX_FX_RATES } from "../fx.js";
import { SellerDataError } from "./fields.js";
import { wanderlyAdapter } from "./wanderly.js";

const LISTING = {
  code: "P000002",
  name: "Azure Midtown",
  city: { id: "new-york-us", name: "New York" },
  country: { code: "US", name: "United States" },
  stars: 3,
  address: "5 W 45th St, New York",
  amenities: ["free wifi"],
  images: ["https://img.sandbox.itinera.test/P000002/1.jpg"],
  rooms: [{ code: "DBL-STD", name: "Standard Double Room", occupancy: 2, amenities: ["tv"] }],
};
const PUSH = {
  push_id: "0b9f3c52-7a4e-4d65-9a0e-2f1c2b3d4e5f",
  sent_at: "2026-11-20T09:00:00.000Z",
  listings: [LISTING],
  city_aliases: { "new-york-us": ["NY", "Big Apple"] },
  rates: [
    { property: "P000002", room: "DBL-STD", night: "2026-12-01", price_minor: 10250, currency: "GBP", available: 3 },
    { property: "P000002", room: "DBL-STD", night: "2026-12-02", price_minor: 50, currency: "GBP", available: 0 },
  ],
  fares: [{ number: "SL100", date: "2026-12-01", from: "LIS", to: "JFK", cabin: "economy", price_minor: 9900, currency: "GBP", seats: 4 }],
};

const fx = new FxTable(SANDBOX_FX_RATES);
const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));

function adapterAt(baseUrl: string) {
  return wanderlyAdapter({
    sellerId: "wanderly",
    baseUrl,
    fx,
    throttle: { ratePerSecond: 100, burst: 10 },
    now: () => new Date("2026-11-20T10:00:00Z"),
  });
}

test("a push becomes hotels, EUR nightly rates and fares with their routes", () => {
  const adapter = adapterAt("http://127.0.0.1:9");
  try {
    const push = adapter.parsePush!(bytes(PUSH));
    assert.is(push.pushId, PUSH.push_id);
    assert.equal(toJson(HotelSchema, push.listings.hotels[0]!), {
      hotelId: "h-P000002",
      name: "Azure Midtown",
      cityId: "new-york-us",
      cityName: "New York",
      countryCode: "US",
      countryName: "United States",
      starRating: 3,
      address: "5 W 45th St, New York",
      amenities: ["free wifi"],
      imageUrls: ["https://img.sandbox.itinera.test/P000002/1.jpg"],
      rooms: [{ roomId: "DBL-STD", name: "Standard Double Room", maxOccupancy: 2, amenities: ["tv"] }],
      sellerIds: ["wanderly"],
    });
    assert.equal([...push.listings.cityAliases], [["new-york-us", ["NY", "Big Apple"]]]);
    assert.equal(push.rates.map((r) => toJson(NightlyRateSchema, r)), [
      // GBP 102.50 × 1.17 = 119.925 → 11992 (half-even: 11992.5 → 11992)
      { hotelId: "h-P000002", roomId: "DBL-STD", night: { year: 2026, month: 12, day: 1 }, price: { amountMinor: "11992", currency: "EUR" }, available: 3 },
      { hotelId: "h-P000002", roomId: "DBL-STD", night: { year: 2026, month: 12, day: 2 }, price: { amountMinor: "58", currency: "EUR" } },
    ]);
    assert.is(push.fares.length, 1);
    assert.equal(push.fares[0]!.route, { origin: "LIS", destination: "JFK" });
    assert.equal(toJson(FlightFareSchema, push.fares[0]!.fare), {
      flightId: "SL100-2026-12-01",
      sellerId: "wanderly",
      cabin: "economy",
      price: { amountMinor: "11583", currency: "EUR" }, // 9900 × 1.17
      seatsLeft: 4,
      source: "PRICE_SOURCE_FRESH",
      priceTime: "2026-11-20T09:00:00Z",
    });
  } finally {
    adapter.close();
  }
});

test("a malformed push is refused with what was wrong", () => {
  const adapter = adapterAt("http://127.0.0.1:9");
  try {
    assert.throws(() => adapter.parsePush!(bytes("{not json")), (e: unknown) => e instanceof SellerDataError && /not JSON/.test(e.message));
    const badRate = { ...PUSH, rates: [{ ...PUSH.rates[0], price_minor: "a lot" }] };
    assert.throws(() => adapter.parsePush!(bytes(badRate)), /rates\[0\].price_minor is missing or not an integer/);
    const noCurrency = { ...PUSH, rates: [{ ...PUSH.rates[0], currency: undefined }] };
    assert.throws(() => adapter.parsePush!(bytes(noCurrency)), /rates\[0\].currency is missing/);
    const unknownCurrency = { ...PUSH, fares: [{ ...PUSH.fares[0], currency: "CHF" }] };
    assert.throws(() => adapter.parsePush!(bytes(unknownCurrency)), /fares\[0\]: no FX rate for CHF/);
    assert.throws(() => adapter.parsePush!(bytes({ ...PUSH, listings: [{ ...LISTING, stars: 7 }] })), /stars must be from 1 to 5/);
  } finally {
    adapter.close();
  }
});

test("live quotes in GBP become EUR offers (nights converted then summed) and EUR fares", async () => {
  const fake = await startFakeSeller({
    "/api/quote/hotel": () => ({
      body: {
        property: "P000002",
        check_in: "2026-12-01",
        check_out: "2026-12-03",
        currency: "GBP",
        rooms: [
          {
            room: "DBL-STD",
            total_minor: 10300,
            available: 0,
            nights: [
              { night: "2026-12-01", price_minor: 10250, available: 3 },
              { night: "2026-12-02", price_minor: 50, available: 0 },
            ],
          },
          { room: "STE-JR", total_minor: 20000, available: 1, nights: [{ night: "2026-12-01", price_minor: 20000, available: 1 }] },
        ],
      },
    }),
    "/api/quote/flights": () => ({ body: { currency: "GBP", fares: PUSH.fares } }),
  });
  const adapter = adapterAt(fake.url);
  try {
    const stay = { checkIn: parseDate("2026-12-01"), checkOut: parseDate("2026-12-03") };
    const offers = await adapter.quoteHotelStay!(silentContext(), "h-P000002", stay);
    const total = { amountMinor: "12050", currency: "EUR" }; // 11992 + 58
    assert.equal(offers.map((o) => toJson(HotelOfferSchema, o)), [
      { hotelId: "h-P000002", roomId: "DBL-STD", sellerId: "wanderly", total, listTotal: total, source: "PRICE_SOURCE_LIVE", priceTime: "2026-11-20T10:00:00Z" },
    ]); // STE-JR lacks a night: not offered
    assert.equal(Object.fromEntries(fake.requests[0]!.query), { property: "P000002", check_in: "2026-12-01", check_out: "2026-12-03" });

    const fares = await adapter.quoteFlights!(silentContext(), { origin: "LIS", destination: "JFK" }, parseDate("2026-12-01"));
    assert.equal(fares.map((f) => [f.flightId, f.price?.amountMinor, f.source]), [["SL100-2026-12-01", 11583n, 2]]);
    assert.equal(Object.fromEntries(fake.requests[1]!.query), { from: "LIS", to: "JFK", date: "2026-12-01" });
  } finally {
    adapter.close();
    await fake.close();
  }
});

test.run();
