// Test fixture: the three sandbox sellers as tiny fakes on real HTTP servers
// (fake-seller.fixture.ts), in the sandbox API's shapes, with the real
// adapters pointed at them. Five hotels (P000001–3 in Lisbon, P000004–5 in
// New York) with one room and nightly rates; three SkyLark flights.
import { addDays, formatDate, parseDate } from "./calendar.js";
import type { SellerAdapter } from "./adapter.js";
import { createAdapters, SELLER_REGISTRY } from "./adapters/index.js";
import { startFakeSeller, type FakeSeller } from "./test/fake-seller.js";
import { FxTable, SANDBOX_FX_RATES } from "./fx.js";
import type { SellerBreakerOptions } from "./seller-http.js";
import type { ThrottleOptions } from "./throttle.js";

export const HOTEL_CODES = ["P000001", "P000002", "P000003", "P000004", "P000005"];
const cityOf = (code: string) => (code < "P000004" ? { id: "lisbon-pt", name: "Lisbon", cc: "PT", country: "Portugal" } : { id: "new-york-us", name: "New York", cc: "US", country: "United States" });

function hotelXml(code: string): string {
  const c = cityOf(code);
  return `<hotel code="${code}"><name>Hotel ${code}</name><city id="${c.id}">${c.name}</city><country code="${c.cc}">${c.country}</country>
    <stars>3</stars><address>1 Main St</address><amenities><a>free wifi</a></amenities><images/>
    <rooms><room code="DBL-STD" occupancy="2"><name>Standard Double Room</name></room></rooms></hotel>`;
}

/** Nights from `from` (included) to `to` (excluded) as "YYYY-MM-DD". */
function nights(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = parseDate(from); formatDate(d) < to; d = addDays(d, 1)) out.push(formatDate(d));
  return out;
}

const rateXml = (night: string) => `<rate room="DBL-STD" night="${night}" amount="100.00" available="5"/>`;

const flight = (number: string, from: string, to: string, date: string, departs: string, arrives: string) => ({
  carrier: "SL", carrier_name: "SkyLark Air", number, from, to, date,
  departs: `${date}T${departs}`, arrives: `${date}T${arrives}`, aircraft: "Airbus A320neo", services: ["wifi"],
});

export interface FakeSellers {
  skylark: FakeSeller;
  casa: FakeSeller;
  wanderly: FakeSeller;
  /** Real adapters pointed at the fakes. */
  adapters(opts?: { breaker?: SellerBreakerOptions; throttle?: ThrottleOptions; now?: () => Date }): SellerAdapter[];
  close(): Promise<void>;
}

export async function startFakeSellers(): Promise<FakeSellers> {
  const skylark = await startFakeSeller({
    "/v1/airports": () => ({
      body: {
        airports: [
          { iata: "LIS", name: "Lisbon", city: "Lisbon", country: "PT", tz: "Europe/Lisbon" },
          { iata: "JFK", name: "JFK", city: "New York", country: "US", tz: "America/New_York" },
          { iata: "MAD", name: "Barajas", city: "Madrid", country: "ES", tz: "Europe/Madrid" },
        ],
      },
    }),
    "/v1/routes": () => ({ body: { routes: [{ from: "LIS", to: "JFK" }, { from: "LIS", to: "MAD" }] } }),
    "/v1/schedules": (url) => ({
      body: {
        flights:
          url.searchParams.get("to") === "JFK"
            ? [flight("SL100", "LIS", "JFK", "2026-12-01", "08:15", "11:00"), flight("SL100", "LIS", "JFK", "2026-12-02", "08:15", "11:00")]
            : [flight("SL200", "LIS", "MAD", "2026-12-01", "10:00", "12:15")],
      },
    }),
    "/v1/fares": (url) => ({
      body: { currency: "USD", fares: [{ number: "SL100", date: url.searchParams.get("date"), cabin: "economy", price: "100.00", seats: 9 }] },
    }),
  });
  const casa = await startFakeSeller({
    "/xml/aliases": () => ({ body: `<aliases><city id="new-york-us"><alias>NY</alias></city></aliases>` }),
    "/xml/hotels": () => ({ body: `<hotels page="1" pages="1">${HOTEL_CODES.map(hotelXml).join("")}</hotels>` }),
    "/xml/rates/bulk": (url) => {
      const ns = nights(url.searchParams.get("from")!, url.searchParams.get("to")!).slice(0, 2);
      const hotels = HOTEL_CODES.map((c) => `<hotel code="${c}">${ns.map(rateXml).join("")}</hotel>`).join("");
      return { body: `<rates currency="EUR" page="1" pages="1">${hotels}</rates>` };
    },
    "/xml/rates": (url) => {
      const code = url.searchParams.get("hotel")!;
      if (!HOTEL_CODES.includes(code)) return { status: 404, body: `<error status="404">unknown hotel</error>` };
      const rates = nights(url.searchParams.get("from")!, url.searchParams.get("to")!).map(rateXml).join("");
      return { body: `<rates hotel="${code}" currency="EUR">${rates}</rates>` };
    },
  });
  const wanderly = await startFakeSeller({
    "/api/quote/hotel": (url) => {
      const ns = nights(url.searchParams.get("check_in")!, url.searchParams.get("check_out")!);
      return {
        body: {
          property: url.searchParams.get("property"),
          currency: "GBP",
          rooms: [{ room: "DBL-STD", total_minor: 8000 * ns.length, available: 2, nights: ns.map((night) => ({ night, price_minor: 8000, available: 2 })) }],
        },
      };
    },
    "/api/quote/flights": (url) => ({
      body: { currency: "GBP", fares: [{ number: "SL100", date: url.searchParams.get("date"), from: "LIS", to: "JFK", cabin: "economy", price_minor: 7000, currency: "GBP", seats: 3 }] },
    }),
  });
  const urls = { skylark: skylark.url, casa: casa.url, wanderly: wanderly.url };
  return {
    skylark,
    casa,
    wanderly,
    adapters: (opts = {}) =>
      createAdapters(
        urls,
        {
          fx: new FxTable(SANDBOX_FX_RATES),
          throttle: opts.throttle ?? { ratePerSecond: 1000, burst: 100 },
          breaker: opts.breaker ?? { volumeThreshold: 3, resetTimeoutMs: 300 },
          timeoutMs: 5000,
          ...(opts.now ? { now: opts.now } : {}),
        },
        SELLER_REGISTRY,
      ),
    async close() {
      await Promise.all([skylark.close(), casa.close(), wanderly.close()]);
    },
  };
}
