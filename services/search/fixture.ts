// Test support only: a tiny inventory (three hotels, two airports, three
// flights) with offers from several sellers, the fakes of fakes.ts serving
// it, and search wired over them as a caller sees it (localClient with the
// validation middleware), on a fixed clock.
import type { FlightCaches } from "./flight-caches.js";
import type { HotelCaches } from "./hotel-caches.js";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import pino from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceSource, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { CalendarDay } from "./dates.js";
import {
  fakeCatalog,
  fakePricing,
  fakeWallet,
  type FakeCatalog,
  type FakePricing,
  type FakeWallet,
  type FlightFareInit,
  type HotelOfferInit,
} from "./fakes.js";
import { DEVELOPMENT_QUOTE_SECRET, quoteSigner } from "../../platform/quotes.js";
import { searchService } from "./service.js";
import type { SearchBudgets } from "./settings.js";
import { searchValidators } from "./validators.js";

/** The fixed "now" of every search test: today is 2026-12-01 (UTC). */
export const NOW = new Date("2026-12-01T12:00:00Z");

/** "2026-12-05" as an itinera.type.v1.Date. */
export function day(iso: string): CalendarDay {
  const [year, month, date] = iso.split("-").map(Number);
  return { year: year!, month: month!, day: date! };
}

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const rooms = {
  double: { roomId: "DBL-STD", name: "Double room", maxOccupancy: 2 },
  twin: { roomId: "TWN-SUP", name: "Superior twin room", maxOccupancy: 2 },
  suite: { roomId: "STE", name: "Suite", maxOccupancy: 3 },
};

export const HOTELS = [
  {
    hotelId: "h-P000001",
    name: "Casa Alfama",
    cityId: "lisbon-pt",
    cityName: "Lisbon",
    countryCode: "PT",
    countryName: "Portugal",
    starRating: 4,
    amenities: ["pool", "free wifi"],
    imageUrls: ["https://img.sandbox.itinera.test/P000001/1.jpg", "https://img.sandbox.itinera.test/P000001/2.jpg"],
    rooms: [rooms.double, rooms.twin, rooms.suite],
    sellerIds: ["casa", "wanderly"],
  },
  {
    hotelId: "h-P000002",
    name: "Hotel Baixa",
    cityId: "lisbon-pt",
    cityName: "Lisbon",
    countryCode: "PT",
    countryName: "Portugal",
    starRating: 3,
    rooms: [rooms.double],
    sellerIds: ["casa", "wanderly"],
  },
  {
    hotelId: "h-P000003",
    name: "Hotel Gran Via",
    cityId: "madrid-es",
    cityName: "Madrid",
    countryCode: "ES",
    countryName: "Spain",
    starRating: 4,
    rooms: [rooms.double],
    sellerIds: ["casa"],
  },
];

function offer(hotelId: string, roomId: string, sellerId: string, total: bigint, available: number, source = PriceSource.FRESH): HotelOfferInit {
  return { hotelId, roomId, sellerId, total: eur(total), listTotal: eur(total), available, source };
}

/**
 * Casa Alfama: double 500.00 at casa (wanderly 520.00); twin 600.00 at both
 * (a tie: casa is the more reliable); the suite has no offer. Hotel Baixa:
 * double sold out at casa (450.00), 470.00 at wanderly. Gran Via: 300.00.
 */
export const OFFERS: HotelOfferInit[] = [
  offer("h-P000001", "DBL-STD", "casa", 50000n, 5),
  offer("h-P000001", "DBL-STD", "wanderly", 52000n, 2),
  offer("h-P000001", "TWN-SUP", "wanderly", 60000n, 3),
  offer("h-P000001", "TWN-SUP", "casa", 60000n, 3),
  offer("h-P000002", "DBL-STD", "casa", 45000n, 0),
  offer("h-P000002", "DBL-STD", "wanderly", 47000n, 1),
  offer("h-P000003", "DBL-STD", "casa", 30000n, 4),
];

export { offer as hotelOffer };

export const AIRPORTS = [
  { code: "LIS", name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" },
  { code: "MAD", name: "Adolfo Suárez Madrid–Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" },
];

function flight(number: string, origin: string, destination: string, departs: string, arrives: string) {
  const date = departs.slice(0, 10);
  return {
    flightId: `${number}-${date}`,
    carrierCode: "SL",
    carrierName: "SkyLark Air",
    flightNumber: number,
    origin,
    destination,
    departureTime: timestampFromDate(new Date(departs)),
    arrivalTime: timestampFromDate(new Date(arrives)),
    departureDate: day(date),
    aircraft: "Airbus A320neo",
    sellerIds: ["skylark", "wanderly"],
  };
}

/** LIS→MAD on 2026-12-05 twice, MAD→LIS on 2026-12-08 once (instants in UTC). */
export const FLIGHTS = [
  flight("SL125", "LIS", "MAD", "2026-12-05T17:00:00Z", "2026-12-05T18:25:00Z"),
  flight("SL123", "LIS", "MAD", "2026-12-05T08:15:00Z", "2026-12-05T09:40:00Z"),
  flight("SL124", "MAD", "LIS", "2026-12-08T07:00:00Z", "2026-12-08T07:25:00Z"),
];

function fare(flightId: string, sellerId: string, price: bigint, seatsLeft: number, source = PriceSource.FRESH): FlightFareInit {
  return { flightId, sellerId, cabin: "economy", price: eur(price), seatsLeft, source };
}

/** SL123: 115.00 at wanderly beats 120.00 at skylark; SL125: 130.00 at both (skylark is more reliable); SL124: 90.00. */
export const FARES: Record<string, FlightFareInit[]> = {
  "LIS-MAD": [
    fare("SL123-2026-12-05", "skylark", 12000n, 9),
    fare("SL123-2026-12-05", "wanderly", 11500n, 4),
    fare("SL125-2026-12-05", "wanderly", 13000n, 2),
    fare("SL125-2026-12-05", "skylark", 13000n, 7),
  ],
  "MAD-LIS": [fare("SL124-2026-12-08", "skylark", 9000n, 12)],
};

/** Budgets loose enough that nothing degrades on a loaded machine unless a test makes it. */
export const TEST_BUDGETS: SearchBudgets = {
  catalogMs: 3_000,
  pricingMs: 3_000,
  walletMs: 3_000,
  totalMs: 8_000,
  reserveMs: 50,
  liveReserveMs: 100,
};

/** A customer with 100.00 EUR in the wallet; anyone else has nothing. */
export const RICH = "c-rich";

export interface SearchFixture {
  /** Search as a caller sees it: validated, in-process. */
  search: Client<typeof SearchService>;
  /** The implementation itself, for serving it. */
  service: Service<typeof SearchService>;
  catalog: FakeCatalog;
  pricing: FakePricing;
  wallet: FakeWallet;
  /** A call with no principal: a visitor. */
  ctx: Context;
  /** A call with a customer's principal, as search's authenticator makes it from their token. */
  as(customerId: string): Context;
}

export interface SearchFixtureOptions {
  budgets?: Partial<SearchBudgets>;
  offers?: HotelOfferInit[];
  /** Hotel search caches (hotel-caches.ts); none by default. */
  caches?: HotelCaches;
  /** Flight search caches (flight-caches.ts); none by default. */
  flightCaches?: FlightCaches;
}

export function searchFixture(opts: SearchFixtureOptions = {}): SearchFixture {
  const catalog = fakeCatalog({ hotels: HOTELS, airports: AIRPORTS, flights: FLIGHTS });
  const pricing = fakePricing({ offers: opts.offers ?? OFFERS, fares: FARES });
  const wallet = fakeWallet({ [RICH]: 10000n });
  const service = searchService({
    catalog: localClient(CatalogService, catalog.service),
    pricing: localClient(PricingService, pricing.service),
    wallet: localClient(WalletService, wallet.service),
    budgets: { ...TEST_BUDGETS, ...opts.budgets },
    signQuote: quoteSigner(DEVELOPMENT_QUOTE_SECRET),
    now: () => NOW,
    hotelCaches: opts.caches,
    flightCaches: opts.flightCaches,
  });
  const search = localClient(SearchService, service, validation(searchValidators({ now: () => NOW })));
  const log = pino({ level: "silent" });
  return {
    search,
    service,
    catalog,
    pricing,
    wallet,
    ctx: backgroundContext({ log }),
    as: (customerId) => backgroundContext({ log, principal: { kind: "customer", id: customerId, roles: [] } }),
  };
}
