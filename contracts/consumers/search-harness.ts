// Search as its consumer tests run it: search's own service
// (services/search/service.ts, every plan, branch and view of it) over peers
// of which exactly the methods under test go over Connect JSON to Pact's
// mock server; the other methods answer in memory from a small listing
// (two hotels, LIS and MAD, a flight each way), so that the interaction
// under test is the only call on the wire. No customer: the wallet is never
// asked (search → wallet has its own pact).
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, KitError } from "../../endpoints/errors.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { searchService } from "../../services/search/service.js";
import type { SearchBudgets } from "../../services/search/settings.js";
import { day } from "./calls.js";

/**
 * Budgets no call to Pact's mock server can exceed on a loaded machine: a
 * branch that timed out would degrade (pricing) or fail (catalog) the
 * search, and the test would describe a slow machine instead of the contract.
 */
export const CONTRACT_BUDGETS: SearchBudgets = {
  catalogMs: 10_000,
  pricingMs: 10_000,
  walletMs: 10_000,
  totalMs: 20_000,
  reserveMs: 0,
  liveReserveMs: 100,
};

const room = (roomId: string, name: string, maxOccupancy: number) => ({ roomId, name, maxOccupancy });

/** The in-memory catalog's hotels: one in Lisbon, one in Porto. */
export const HOTELS = [
  {
    hotelId: "h-P000001",
    name: "Casa Alfama",
    cityId: "lisbon-pt",
    cityName: "Lisbon",
    countryCode: "PT",
    countryName: "Portugal",
    starRating: 4,
    amenities: ["pool"],
    imageUrls: ["https://img.sandbox.itinera.test/P000001/1.jpg"],
    rooms: [room("DBL-STD", "Double room", 2)],
  },
  {
    hotelId: "h-P000002",
    name: "Ribeira Guesthouse",
    cityId: "porto-pt",
    cityName: "Porto",
    countryCode: "PT",
    countryName: "Portugal",
    starRating: 3,
    amenities: ["free wifi"],
    imageUrls: ["https://img.sandbox.itinera.test/P000002/1.jpg"],
    rooms: [room("DBL-STD", "Double room", 2)],
  },
];

export const AIRPORTS = [
  { code: "LIS", name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" },
  { code: "MAD", name: "Adolfo Suárez Madrid–Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" },
];

function flight(number: string, origin: string, destination: string, departs: string, arrives: string) {
  const date = departs.slice(0, 10);
  return {
    flightId: `${number}-${date}`,
    carrierCode: number.slice(0, 2),
    carrierName: "SkyLark Air",
    flightNumber: number,
    origin,
    destination,
    departureTime: timestampFromDate(new Date(departs)),
    arrivalTime: timestampFromDate(new Date(arrives)),
    departureDate: day(date),
    aircraft: "Airbus A320neo",
  };
}

/** The in-memory flights: LIS → MAD and back on 2027-03-10. */
export const FLIGHTS = [
  flight("SL123", "LIS", "MAD", "2027-03-10T08:15:00Z", "2027-03-10T09:30:00Z"),
  flight("SL124", "MAD", "LIS", "2027-03-10T18:00:00Z", "2027-03-10T19:20:00Z"),
];

const notHere = (method: string) => () =>
  Promise.reject(new KitError(Code.Unimplemented, `${method} is not part of search's contract tests`));

/** Keyword search: a case-insensitive substring of a hotel's name or city. */
const memoryCatalog: Service<typeof CatalogService> = {
  async searchHotels(_ctx, req) {
    const words = req.query.toLowerCase();
    return { hotels: HOTELS.filter((h) => `${h.name} ${h.cityName}`.toLowerCase().includes(words)) };
  },
  async listFlights(_ctx, req) {
    const d = req.departureDate;
    const same = (f: (typeof FLIGHTS)[number]) =>
      f.origin === req.origin && f.destination === req.destination && f.departureDate.year === d?.year &&
      f.departureDate.month === d.month && f.departureDate.day === d.day;
    return { flights: FLIGHTS.filter(same) };
  },
  async getAirports(_ctx, req) {
    return { airports: AIRPORTS.filter((a) => req.codes.includes(a.code)) };
  },
  upsertHotels: notHere("UpsertHotels"),
  upsertFlights: notHere("UpsertFlights"),
  async getHotels(_ctx, req) {
    return { hotels: req.hotelIds.flatMap((id) => HOTELS.filter((h) => h.hotelId === id)) };
  },
  listAirports: notHere("ListAirports"),
};

/** No prices at all: what a catalog test needs (every room MISSING). */
const memoryPricing: Service<typeof PricingService> = {
  getHotelOffers: async () => ({ offers: [] }),
  getFlightFares: async () => ({ fares: [] }),
  ingestHotelRates: notHere("IngestHotelRates"),
  invalidateRoom: notHere("InvalidateRoom"),
};

const noWallet: Service<typeof WalletService> = {
  getBalance: notHere("GetBalance"),
  credit: notHere("Credit"),
  hold: notHere("Hold"),
  capture: notHere("Capture"),
  release: notHere("Release"),
  listTransactions: notHere("ListTransactions"),
};

/** The methods that go over the wire instead of memory. */
export interface Wired {
  catalog?: Partial<Client<typeof CatalogService>>;
  pricing?: Partial<Client<typeof PricingService>>;
}

/** Search's real service (as a caller sees it) over the in-memory peers, `wired` methods replacing theirs. */
export function searchOver(wired: Wired): Client<typeof SearchService> {
  const catalog = { ...localClient(CatalogService, memoryCatalog), ...wired.catalog };
  const pricing = { ...localClient(PricingService, memoryPricing), ...wired.pricing };
  const wallet = localClient(WalletService, noWallet);
  return localClient(SearchService, searchService({ catalog, pricing, wallet, budgets: CONTRACT_BUDGETS, currency: "EUR" }));
}
