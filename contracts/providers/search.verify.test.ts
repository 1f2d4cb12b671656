// Search against every committed pact that names it (the web BFF's
// SearchHotels and SearchFlights): the real server, wired as
// services/search/main.ts wires it (serverStack with search's validators,
// customers' bearer tokens verified, quotes signed), around search's real service
// over in-memory fakes of its own peers — catalog, pricing, wallet
// (services/search/fakes.ts; search's edges to them have their own pacts) —
// whose listings, offers, fares and balances the states set.
//
// The pacts carry dates (March 2027) and search judges them against today,
// so the validators run on a fixed clock (CLOCK).
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { localClient } from "../../endpoints/service.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceSource, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import {
  fakeCatalog,
  fakePricing,
  fakeWallet,
  type AirportInit,
  type FlightFareInit,
  type FlightInit,
  type HotelInit,
  type HotelOfferInit,
} from "../../services/search/fakes.js";
import { TEST_BUDGETS } from "../../services/search/fixture.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";
import { searchService } from "../../services/search/service.js";
import { DEVELOPMENT_QUOTE_SECRET, quoteSigner } from "../../platform/quotes.js";
import { searchValidators } from "../../services/search/validators.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";

/** "Today" for search's validators: the pacts' stays and flights are a few weeks ahead. */
const CLOCK = new Date("2027-02-01T12:00:00Z");

/** What the fakes serve; the states add to it. */
const listing = { hotels: [] as HotelInit[], airports: [] as AirportInit[], flights: [] as FlightInit[] };
const prices = { offers: [] as HotelOfferInit[], fares: {} as Record<string, FlightFareInit[]> };
const balances: Record<string, bigint> = {};
const catalog = fakeCatalog(listing);
const pricing = fakePricing(prices);
const wallet = fakeWallet(balances);
let server: ProviderServer | undefined;
let tokens: TestTokens;

/** Each consumer's own service token, as the contract names the consumer: what the verifier sends for it. */
async function bearerTokensOf(...consumers: string[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(consumers.map(async (c) => [c, (await tokens.service(c)).token!])));
}

const AIRPORTS: Record<string, AirportInit> = {
  LIS: { code: "LIS", name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" },
  MAD: { code: "MAD", name: "Adolfo Suárez Madrid–Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" },
};

function euros(params: StateParams, name: string) {
  const currency = stringParam(params, "currency");
  if (currency !== "EUR") throw new Error(`search's marketplace currency is EUR, not ${currency}`);
  return { amountMinor: BigInt(stringParam(params, name)), currency };
}

/** A flight by its dated id ("SL123-2027-03-10"), leaving at 08:15 UTC that day, 75 minutes long. */
function flight(flightId: string, origin: string, destination: string): FlightInit {
  const m = /^([A-Z0-9]+)-(\d{4})-(\d{2})-(\d{2})$/.exec(flightId);
  if (!m) throw new Error(`${flightId} is not a dated flight id`);
  const departs = new Date(`${m[2]}-${m[3]}-${m[4]}T08:15:00Z`);
  return {
    flightId,
    carrierCode: m[1]!.slice(0, 2),
    carrierName: "SkyLark Air",
    flightNumber: m[1]!,
    origin,
    destination,
    departureTime: timestampFromDate(departs),
    arrivalTime: timestampFromDate(new Date(departs.getTime() + 75 * 60_000)),
    departureDate: { year: Number(m[2]), month: Number(m[3]), day: Number(m[4]) },
    aircraft: "Airbus A320neo",
  };
}

/** The states search's consumers name, set up in search's fakes of its peers. */
const searchStates = (): ProviderStates => ({
  async "a hotel's rooms are priced"(params) {
    const hotelId = stringParam(params, "hotelId");
    const [cityName, countryCode] = [stringParam(params, "cityName"), stringParam(params, "countryCode")];
    if (!listing.hotels.some((h) => h.hotelId === hotelId)) {
      listing.hotels.push({
        hotelId,
        name: stringParam(params, "name"),
        cityId: `${cityName.toLowerCase()}-${countryCode.toLowerCase()}`,
        cityName,
        countryCode,
        countryName: countryCode === "PT" ? "Portugal" : countryCode,
        starRating: 4,
        amenities: ["pool", "free wifi"],
        imageUrls: [`https://img.sandbox.itinera.test/${hotelId}/1.jpg`],
        rooms: [{ roomId: stringParam(params, "roomId"), name: stringParam(params, "roomName"), maxOccupancy: 2 }],
        sellerIds: [stringParam(params, "sellerId")],
      });
    }
    const total = euros(params, "totalMinor");
    const [roomId, sellerId] = [stringParam(params, "roomId"), stringParam(params, "sellerId")];
    prices.offers = prices.offers.filter((o) => !(o.hotelId === hotelId && o.roomId === roomId && o.sellerId === sellerId));
    prices.offers.push({ hotelId, roomId, sellerId, total, listTotal: total, available: 5, source: PriceSource.FRESH });
  },
  async "a customer has a wallet balance"(params) {
    const customerId = stringParam(params, "customerId");
    balances[customerId] = euros(params, "amountMinor").amountMinor;
    return { customerToken: (await tokens.customer(customerId)).token! };
  },
  async "a return trip is priced"(params) {
    const [origin, destination] = [stringParam(params, "origin"), stringParam(params, "destination")];
    const [out, back] = [flight(stringParam(params, "outboundFlightId"), origin, destination), flight(stringParam(params, "returnFlightId"), destination, origin)];
    for (const code of [origin, destination]) {
      const airport = AIRPORTS[code];
      if (!airport) throw new Error(`the search states know airports ${Object.keys(AIRPORTS).join(", ")}, not ${code}`);
      if (!listing.airports.some((a) => a.code === code)) listing.airports.push(airport);
    }
    listing.flights = [...listing.flights.filter((f) => f.flightId !== out.flightId && f.flightId !== back.flightId), out, back];
    const fare = (f: FlightInit, name: string): FlightFareInit => ({
      flightId: f.flightId,
      sellerId: stringParam(params, "sellerId"),
      cabin: "economy",
      price: euros(params, name),
      seatsLeft: 9,
      source: PriceSource.FRESH,
    });
    prices.fares[`${origin}-${destination}`] = [fare(out, "outboundMinor")];
    prices.fares[`${destination}-${origin}`] = [fare(back, "returnMinor")];
  },
});

test.before(async () => {
  tokens = await testTokens();
  const search = searchService({
    catalog: localClient(CatalogService, catalog.service),
    pricing: localClient(PricingService, pricing.service),
    wallet: localClient(WalletService, wallet.service),
    budgets: TEST_BUDGETS,
    signQuote: quoteSigner(DEVELOPMENT_QUOTE_SECRET),
    now: () => CLOCK,
  });
  server = await startProvider(SearchService, search, { validators: searchValidators({ now: () => CLOCK }), authenticate: tokens.authenticate });
});
test.after(async () => {
  await server?.close();
});

test("the real search satisfies every pact that names it", async () => {
  const result = await verifyProvider("search", server!.url, searchStates(), { bearerTokens: await bearerTokensOf("web") });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["web-search.json"],
  );
  assert.ok(result.interactions >= 2, `${result.interactions} interactions`);
  // Search asked the wallet for the customer whose token the BFF forwarded, and only for them.
  assert.equal([...new Set(wallet.asked)].sort(), ["c-71"]);
});

test.run();
